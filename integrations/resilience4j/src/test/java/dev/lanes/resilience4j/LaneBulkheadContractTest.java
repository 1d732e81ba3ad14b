package dev.lanes.resilience4j;

import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_FINISHED;
import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_PERMITTED;
import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_REJECTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.event.BulkheadEvent;
import io.github.resilience4j.core.exception.AcquirePermissionCancelledException;
import io.github.resilience4j.core.functions.CheckedConsumer;
import io.github.resilience4j.core.functions.CheckedFunction;
import io.github.resilience4j.core.functions.CheckedRunnable;
import io.github.resilience4j.core.functions.CheckedSupplier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resilience4j's {@code Bulkhead} contract, as its decorators and users rely on it. */
class LaneBulkheadContractTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<BulkheadEvent.Type> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A lane that holds its limit, with no wait by default (Resilience4j's default). */
  private static Lane lane(int limit) {
    return Lane.builder("disk").algorithm(new FixedLimit()).limits(1, limit, 64)
        .maxWait(Duration.ZERO).build();
  }

  private LaneBulkhead recorded(LaneBulkhead bulkhead) {
    bulkhead.getEventPublisher().onEvent(event -> events.add(event.getEventType()));
    return bulkhead;
  }

  @Test
  void everyStaticDecoratorRunsItsCallUnderOnePermitAndGivesItBack() throws Throwable {
    Lane lane = lane(4);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));
    AtomicInteger inside = new AtomicInteger();
    Runnable check = () -> {
      assertThat(lane.inFlight()).isEqualTo(1);
      assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(3);
      inside.incrementAndGet();
    };

    assertThat(Bulkhead.decorateSupplier(bulkhead, () -> { check.run(); return "s"; }).get())
        .isEqualTo("s");
    assertThat(Bulkhead.decorateCallable(bulkhead, () -> { check.run(); return "c"; }).call())
        .isEqualTo("c");
    Bulkhead.decorateRunnable(bulkhead, check).run();
    assertThat(Bulkhead.decorateCheckedSupplier(bulkhead,
        (CheckedSupplier<String>) () -> { check.run(); return "cs"; }).get()).isEqualTo("cs");
    Bulkhead.decorateCheckedRunnable(bulkhead, (CheckedRunnable) check::run).run();
    assertThat(Bulkhead.decorateFunction(bulkhead, (Function<Integer, Integer>) x -> {
      check.run();
      return x + 1;
    }).apply(1)).isEqualTo(2);
    assertThat(Bulkhead.decorateCheckedFunction(bulkhead, (CheckedFunction<Integer, Integer>) x -> {
      check.run();
      return x * 2;
    }).apply(4)).isEqualTo(8);
    Bulkhead.decorateConsumer(bulkhead, (Consumer<String>) s -> check.run()).accept("x");
    Bulkhead.decorateCheckedConsumer(bulkhead, (CheckedConsumer<String>) s -> check.run())
        .accept("x");

    assertThat(inside).hasValue(9);
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).as("each call gave a sample")
        .isEqualTo(9);
    assertThat(events).hasSize(18);
    for (int i = 0; i < events.size(); i += 2) {
      assertThat(events.subList(i, i + 2)).containsExactly(CALL_PERMITTED, CALL_FINISHED);
    }
  }

  @Test
  void executeMethodsHoldTheirOwnPermitAndTellSuccessOverloadAndFailureApart() throws Throwable {
    Lane lane = lane(4);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));

    assertThat(bulkhead.executeSupplier(() -> lane.inFlight())).isEqualTo(1);
    assertThat(bulkhead.executeCallable(() -> lane.inFlight())).isEqualTo(1);
    bulkhead.executeRunnable(() -> assertThat(lane.inFlight()).isEqualTo(1));
    assertThat(bulkhead.executeCheckedSupplier(() -> lane.inFlight())).isEqualTo(1);
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(4);

    // An overload failure (a timeout, by the lane's default overloadOn) is a drop for the
    // algorithm; any other failure gives the permit back without a sample. Both are rethrown.
    TimeoutException timeout = new TimeoutException("slow disk");
    assertThatThrownBy(() -> bulkhead.executeCallable(() -> { throw timeout; })).isSameAs(timeout);
    IllegalStateException bug = new IllegalStateException("bad request");
    assertThatThrownBy(() -> bulkhead.executeSupplier(() -> { throw bug; })).isSameAs(bug);
    IOException io = new IOException("gone");
    assertThatThrownBy(() -> bulkhead.executeCheckedSupplier(() -> { throw io; })).isSameAs(io);

    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().ignored(Priority.NORMAL)).isEqualTo(2);
    assertThat(lane.inFlight()).isZero();
    assertThat(events).hasSize(14);
    assertThat(events.stream().filter(CALL_FINISHED::equals)).hasSize(7);
  }

  @Test
  void aFailingDecoratedCallStillGivesItsPermitBack() {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));
    IllegalStateException failure = new IllegalStateException("boom");

    Supplier<String> decorated = Bulkhead.decorateSupplier(bulkhead, () -> { throw failure; });
    assertThatThrownBy(decorated::get).isSameAs(failure);
    assertThatThrownBy(decorated::get).as("the permit came back").isSameAs(failure);

    assertThat(lane.inFlight()).isZero();
    assertThat(events).containsExactly(CALL_PERMITTED, CALL_FINISHED, CALL_PERMITTED,
        CALL_FINISHED);
  }

  @Test
  void completionStagesHoldThePermitUntilTheyComplete() throws Exception {
    Lane lane = lane(2);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));

    // Resilience4j's own decorator, completed on another thread.
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletionStage<String> decorated =
        Bulkhead.decorateCompletionStage(bulkhead, () -> first).get();
    // The bulkhead's own executeCompletionStage, failed on another thread.
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletionStage<String> executed = bulkhead.executeCompletionStage(() -> second);

    assertThat(lane.inFlight()).isEqualTo(2);
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
    assertThat(decorated.toCompletableFuture()).isNotDone();

    threads.submit(() -> first.complete("done")).get();
    assertThat(decorated.toCompletableFuture().get()).isEqualTo("done");
    assertThat(lane.inFlight()).isEqualTo(1);

    TimeoutException timeout = new TimeoutException();
    threads.submit(() -> second.completeExceptionally(timeout)).get();
    assertThatThrownBy(() -> executed.toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class).hasCause(timeout);
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).as("a timed-out stage is a drop")
        .isEqualTo(1);
    assertThat(events).containsExactly(CALL_PERMITTED, CALL_PERMITTED, CALL_FINISHED,
        CALL_FINISHED);

    // A supplier that throws instead of returning a stage gives the permit back at once.
    IllegalStateException broken = new IllegalStateException();
    CompletionStage<String> failed = bulkhead.executeCompletionStage(() -> { throw broken; });
    assertThatThrownBy(() -> failed.toCompletableFuture().get()).hasCause(broken);
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aFullBulkheadRejectsWithBulkheadFullExceptionAndARejectedEvent() {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of("payments", lane, Priority.NORMAL));
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    AtomicBoolean ran = new AtomicBoolean();

    assertThatThrownBy(() -> Bulkhead.decorateSupplier(bulkhead, () -> ran.getAndSet(true)).get())
        .isInstanceOf(BulkheadFullException.class)
        .hasMessage("Bulkhead 'payments' is full and does not permit further calls")
        .satisfies(e -> {
          assertThat(((BulkheadFullException) e).getBulkheadName()).isEqualTo("payments");
          assertThat(e.getStackTrace()).as("rejections are cheap by default").isEmpty();
        });
    assertThatThrownBy(() -> bulkhead.executeRunnable(() -> ran.set(true)))
        .isInstanceOf(BulkheadFullException.class);
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    CompletionStage<Boolean> stage = Bulkhead.decorateCompletionStage(bulkhead,
        () -> CompletableFuture.completedFuture(ran.getAndSet(true))).get();
    assertThat(stage.toCompletableFuture()).isCompletedExceptionally();
    assertThatThrownBy(() -> stage.toCompletableFuture().get())
        .hasCauseInstanceOf(BulkheadFullException.class);
    CompletionStage<Boolean> executed = bulkhead.executeCompletionStage(
        () -> CompletableFuture.completedFuture(ran.getAndSet(true)));
    assertThat(executed.toCompletableFuture()).isCompletedExceptionally();

    assertThat(ran).as("no rejected call ran").isFalse();
    assertThat(events).containsExactly(CALL_PERMITTED, CALL_REJECTED, CALL_REJECTED,
        CALL_REJECTED, CALL_REJECTED, CALL_REJECTED);
    assertThat(lane.snapshot().rejected(Priority.NORMAL, Reason.LIMIT_REACHED)).isEqualTo(5);
    assertThat(lane.inFlight()).isEqualTo(1);

    bulkhead.changeConfig(BulkheadConfig.from(bulkhead.getBulkheadConfig())
        .writableStackTraceEnabled(true).build());
    assertThatThrownBy(bulkhead::acquirePermission)
        .isInstanceOf(BulkheadFullException.class)
        .satisfies(e -> assertThat(e.getStackTrace()).isNotEmpty());
  }

  @Test
  void maxWaitDurationWaitsForAPermitThenRejects() throws Exception {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64)
        .maxWaitDuration(Duration.ofMillis(200)).build());
    Permit blocker = lane.tryAcquire(Priority.NORMAL).orElseThrow();

    Future<Throwable> timedOut = threads.submit(() -> catching(bulkhead::acquirePermission));
    assertThat(timedOut.get(30, TimeUnit.SECONDS)).isInstanceOf(BulkheadFullException.class);
    assertThat(lane.snapshot().timedOut(Priority.NORMAL)).as("it waited, then gave up")
        .isEqualTo(1);
    assertThat(events).containsExactly(CALL_REJECTED);

    // A permit freed within the wait goes to the waiter.
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64)
        .maxWaitDuration(PATIENCE).build());
    Future<String> served = threads.submit(
        () -> Bulkhead.decorateSupplier(bulkhead, () -> "served").get());
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
    assertThat(served).isNotDone();
    blocker.close();
    assertThat(served.get(30, TimeUnit.SECONDS)).isEqualTo("served");
    assertThat(lane.inFlight()).isZero();
    assertThat(events).containsExactly(CALL_REJECTED, CALL_PERMITTED, CALL_FINISHED);
  }

  @Test
  void anInterruptWhileWaitingCancelsTheAcquireAndKeepsTheFlag() throws Exception {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of(lane));
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64)
        .maxWaitDuration(PATIENCE).build());
    Permit blocker = lane.tryAcquire(Priority.NORMAL).orElseThrow();

    AtomicReference<Thread> waiter = new AtomicReference<>();
    Future<List<Object>> acquire = threads.submit(() -> {
      waiter.set(Thread.currentThread());
      Throwable thrown = catching(bulkhead::acquirePermission);
      return List.of(thrown, Thread.currentThread().isInterrupted());
    });
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
    waiter.get().interrupt();
    List<Object> outcome = acquire.get(30, TimeUnit.SECONDS);
    assertThat(outcome.get(0)).isInstanceOf(AcquirePermissionCancelledException.class);
    assertThat(outcome.get(1)).as("interrupt flag set again").isEqualTo(true);

    Future<List<Boolean>> tryAcquire = threads.submit(() -> {
      waiter.set(Thread.currentThread());
      boolean permitted = bulkhead.tryAcquirePermission();
      return List.of(permitted, Thread.currentThread().isInterrupted());
    });
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
    waiter.get().interrupt();
    assertThat(tryAcquire.get(30, TimeUnit.SECONDS)).containsExactly(false, true);

    assertThat(lane.inFlight()).as("an interrupted waiter holds nothing").isEqualTo(1);
    assertThat(lane.snapshot().waiting(Priority.NORMAL)).isZero();
    assertThat(events).containsExactly(CALL_REJECTED, CALL_REJECTED);
    blocker.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void anAlreadyInterruptedThreadGetsNoPermitEvenWhenOneIsFree() throws Exception {
    for (Duration wait : List.of(Duration.ZERO, PATIENCE)) {
      Lane lane = lane(4);
      LaneBulkhead bulkhead = LaneBulkhead.of(lane);
      bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64).maxWaitDuration(wait)
          .build());
      List<Object> outcome = threads.submit(() -> {
        Thread.currentThread().interrupt();
        Throwable thrown = catching(bulkhead::acquirePermission);
        return List.<Object>of(thrown, Thread.currentThread().isInterrupted());
      }).get(30, TimeUnit.SECONDS);
      assertThat(outcome.get(0)).as("wait " + wait)
          .isInstanceOf(AcquirePermissionCancelledException.class);
      assertThat(outcome.get(1)).isEqualTo(true);
      assertThat(lane.inFlight()).isZero();
    }
  }

  @Test
  void eventsComeInTheOrderOfTheCallsAsFromASemaphoreBulkhead() {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = recorded(LaneBulkhead.of("orders", lane, Priority.NORMAL));
    List<String> typed = new ArrayList<>();
    bulkhead.getEventPublisher()
        .onCallPermitted(e -> typed.add("permitted " + e.getBulkheadName()))
        .onCallRejected(e -> typed.add("rejected " + e.getBulkheadName()))
        .onCallFinished(e -> typed.add("finished " + e.getBulkheadName()));

    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    bulkhead.onComplete();
    bulkhead.acquirePermission();
    bulkhead.releasePermission(); // a permit not used: no event, as in SemaphoreBulkhead
    bulkhead.executeSupplier(() -> "x");

    assertThat(events).containsExactly(CALL_PERMITTED, CALL_REJECTED, CALL_FINISHED,
        CALL_PERMITTED, CALL_PERMITTED, CALL_FINISHED);
    assertThat(typed).containsExactly("permitted orders", "rejected orders", "finished orders",
        "permitted orders", "permitted orders", "finished orders");
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void metricsShowTheLanesLimitAndTheRoomLeftBeforeDuringAndAfterCalls() {
    Lane lane = Lane.builder("disk").algorithm(new FixedLimit()).limits(1, 4, 64)
        .backgroundReserve(1).maxWait(Duration.ZERO).build();
    LaneBulkhead normal = LaneBulkhead.of(lane);
    LaneBulkhead background = LaneBulkhead.of("scan", lane, Priority.BACKGROUND);
    LaneBulkhead critical = LaneBulkhead.of("health", lane, Priority.CRITICAL);

    assertThat(normal.getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(4);
    assertThat(normal.getMetrics().getAvailableConcurrentCalls()).isEqualTo(4);
    assertThat(background.getMetrics().getAvailableConcurrentCalls()).as("less the reserve")
        .isEqualTo(3);

    assertThat(normal.tryAcquirePermission()).isTrue();
    assertThat(background.tryAcquirePermission()).isTrue();
    assertThat(normal.getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
    assertThat(background.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    assertThat(normal.tryAcquirePermission()).isTrue();
    assertThat(background.getMetrics().getAvailableConcurrentCalls()).isZero();
    assertThat(background.tryAcquirePermission()).as("the reserve is not background's").isFalse();
    assertThat(normal.tryAcquirePermission()).isTrue();
    assertThat(critical.tryAcquirePermission()).as("critical bypasses the limit").isTrue();
    assertThat(lane.inFlight()).isEqualTo(5);
    assertThat(normal.getMetrics().getAvailableConcurrentCalls()).as("never negative").isZero();
    assertThat(critical.getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(4);

    lane.setLimitBounds(1, 10); // the limit stays; only the bounds move
    lane.setLimitBounds(6, 10); // now the limit rises to 6
    assertThat(normal.getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(6);
    assertThat(normal.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);

    critical.onComplete();
    normal.onComplete();
    normal.onComplete();
    normal.onComplete();
    background.onComplete();
    assertThat(lane.inFlight()).isZero();
    assertThat(normal.getMetrics().getAvailableConcurrentCalls()).isEqualTo(6);
    assertThat(background.getMetrics().getAvailableConcurrentCalls()).isEqualTo(5);
  }

  @Test
  void theConfigDescribesTheLaneAndChangeConfigMovesItsMaxLimit() {
    Lane lane = Lane.builder("disk").algorithm(new FixedLimit()).limits(4, 8, 64)
        .backgroundReserve(2).maxWait(Duration.ofMillis(300)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);

    BulkheadConfig config = bulkhead.getBulkheadConfig();
    assertThat(config.getMaxConcurrentCalls()).isEqualTo(64);
    assertThat(config.getMaxWaitDuration()).isEqualTo(Duration.ofMillis(300));
    assertThat(config.isWritableStackTraceEnabled()).isFalse();

    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(5)
        .maxWaitDuration(Duration.ofMillis(20)).build());
    assertThat(lane.maxLimit()).isEqualTo(5);
    assertThat(lane.limit()).as("clamped into the new bounds").isEqualTo(5);
    assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(5);
    assertThat(bulkhead.getBulkheadConfig().getMaxWaitDuration())
        .isEqualTo(Duration.ofMillis(20));

    assertThat(lane.minLimit()).isEqualTo(4);
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(3).build());
    assertThat(lane.minLimit()).as("min comes down with max").isEqualTo(3);
    assertThat(lane.limit()).isEqualTo(3);

    BulkheadConfig current = bulkhead.getBulkheadConfig();
    assertThatThrownBy(() -> bulkhead.changeConfig(BulkheadConfig.custom()
        .maxConcurrentCalls(0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bulkhead 'disk'").hasMessageContaining("maxConcurrentCalls");
    assertThatThrownBy(() -> bulkhead.changeConfig(BulkheadConfig.custom()
        .maxConcurrentCalls(2).build()))
        .as("max must stay above the background reserve")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bulkhead 'disk'").hasMessageContaining("reserve");
    assertThat(bulkhead.getBulkheadConfig()).as("a refused config changes nothing")
        .isSameAs(current);
    assertThat(lane.maxLimit()).isEqualTo(3);

    lane.setLimitBounds(3, 12); // someone else moves the bounds: the config follows
    assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(12);
  }

  @Test
  void describesItselfAndNeverReturnsNull() {
    Lane lane = lane(2);
    LaneBulkhead of = LaneBulkhead.of(lane);
    assertThat(of.getName()).isEqualTo("disk");
    assertThat(of.priority()).isEqualTo(Priority.NORMAL);
    assertThat(of.lane()).isSameAs(lane);
    assertThat(of.getTags()).isNotNull().isEmpty();
    assertThat(of.getBulkheadConfig()).isNotNull();
    assertThat(of.toString()).contains("disk", "NORMAL");

    LaneBulkhead scan = LaneBulkhead.of("disk-scan", lane, Priority.BACKGROUND);
    assertThat(scan.getName()).isEqualTo("disk-scan");
    assertThat(scan.priority()).isEqualTo(Priority.BACKGROUND);
    assertThatThrownBy(() -> LaneBulkhead.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("lane");
    assertThatThrownBy(() -> LaneBulkhead.of("x", lane, null))
        .isInstanceOf(NullPointerException.class).hasMessage("priority");
    assertThatThrownBy(() -> new LaneBulkhead("x", lane, Priority.NORMAL, Map.of()).changeConfig(
        null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anEventConsumerThatThrowsLeavesNoPermitBehind() throws Exception {
    Lane lane = lane(2);
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    IllegalStateException broken = new IllegalStateException("broken consumer");
    bulkhead.getEventPublisher().onCallPermitted(e -> { throw broken; });

    assertThatThrownBy(bulkhead::tryAcquirePermission).isSameAs(broken);
    assertThatThrownBy(() -> bulkhead.executeSupplier(() -> "x")).isSameAs(broken);
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();

    LaneBulkhead finishing = LaneBulkhead.of(lane);
    finishing.getEventPublisher().onCallFinished(e -> { throw broken; });
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletionStage<String> executed = finishing.executeCompletionStage(() -> stage);
    stage.complete("done");
    assertThat(executed.toCompletableFuture().get(30, TimeUnit.SECONDS))
        .as("the caller's stage completes all the same").isEqualTo("done");
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aWaitTooLongForALaneIsCappedNotRefused() {
    Lane lane = lane(1);
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64)
        .maxWaitDuration(Duration.ofDays(365L * 1_000)).build());
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    bulkhead.onComplete();
    assertThat(bulkhead.getBulkheadConfig().getMaxWaitDuration())
        .isEqualTo(Duration.ofDays(365L * 1_000));
  }

  @Test
  void aClosedLaneRejectsThroughTheBulkhead() {
    Lane lane = lane(2);
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    lane.close();
    assertThatThrownBy(bulkhead::acquirePermission).isInstanceOf(BulkheadFullException.class);
    bulkhead.onComplete(); // a permit out before the close can still come back
    assertThat(lane.inFlight()).isZero();
  }

  private static Throwable catching(Runnable action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
