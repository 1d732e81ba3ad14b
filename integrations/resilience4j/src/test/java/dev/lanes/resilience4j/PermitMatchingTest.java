package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a bare {@code onComplete()} or {@code releasePermission()} finds the permit it gives back:
 * the newest its own thread holds, else the oldest of any thread. Time is virtual, so each
 * sample's latency says exactly which permit was given back.
 */
class PermitMatchingTest {

  private final VirtualTime time = new VirtualTime();
  private final Samples samples = new Samples();
  private final ExecutorService other = Executors.newSingleThreadExecutor();
  private final Lane lane = Lane.builder("matching").algorithm(samples).limits(1, 8, 8)
      .ticker(time).scheduler(time).maxWait(Duration.ZERO)
      .window(WindowConfig.percentile(0.99).minSamples(1_000_000)) // never closes
      .build();
  private final LaneBulkhead bulkhead = LaneBulkhead.of(lane);
  private final AtomicInteger finished = new AtomicInteger();

  {
    bulkhead.getEventPublisher().onCallFinished(e -> finished.incrementAndGet());
  }

  @AfterEach
  void stop() throws InterruptedException {
    other.shutdownNow();
    assertThat(other.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private void onOtherThread(Runnable action) throws Exception {
    other.submit(action).get(30, TimeUnit.SECONDS);
  }

  @Test
  void onTheSameThreadNestedCallsAreSampledExactly() {
    Supplier<String> inner = Bulkhead.decorateSupplier(bulkhead, () -> {
      time.advance(ms(5));
      return "inner";
    });
    Supplier<String> outer = Bulkhead.decorateSupplier(bulkhead, () -> {
      time.advance(ms(10));
      String result = inner.get();
      time.advance(ms(25));
      return result;
    });

    assertThat(outer.get()).isEqualTo("inner");

    assertThat(samples.latencies).containsExactly(ms(5), ms(40));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void eachThreadGetsBackItsOwnPermitWhateverTheOrder() throws Exception {
    bulkhead.acquirePermission();                 // main, at 0
    time.advance(ms(10));
    onOtherThread(bulkhead::acquirePermission);   // other, at 10
    time.advance(ms(20));
    bulkhead.onComplete();                        // main's own: 30 ms
    time.advance(ms(20));
    onOtherThread(bulkhead::onComplete);          // other's own: 40 ms

    assertThat(samples.latencies).containsExactly(ms(30), ms(40));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aThreadThatHoldsNoPermitGivesBackTheOldest() throws Exception {
    bulkhead.tryAcquirePermission();              // at 0
    time.advance(ms(10));
    bulkhead.tryAcquirePermission();              // at 10
    time.advance(ms(15));
    onOtherThread(bulkhead::onComplete);          // oldest: 25 ms
    time.advance(ms(5));
    onOtherThread(bulkhead::onComplete);          // then the next: 20 ms

    assertThat(samples.latencies).containsExactly(ms(25), ms(20));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void completionStagesFinishingElsewhereGiveBackInTheOrderTheyStarted() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletionStage<String> a = Bulkhead.decorateCompletionStage(bulkhead, () -> first).get();
    time.advance(ms(3));
    CompletionStage<String> b = Bulkhead.decorateCompletionStage(bulkhead, () -> second).get();
    time.advance(ms(7));
    onOtherThread(() -> first.complete("a"));     // 10 ms after the first started
    time.advance(ms(4));
    onOtherThread(() -> second.complete("b"));    // 11 ms after the second started

    assertThat(a.toCompletableFuture().get()).isEqualTo("a");
    assertThat(b.toCompletableFuture().get()).isEqualTo("b");
    assertThat(samples.latencies).containsExactly(ms(10), ms(11));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aThreadWhosePermitWasTakenGivesBackAnotherSoNothingLeaks() throws Exception {
    bulkhead.acquirePermission();                 // main, synchronous call, at 0
    time.advance(ms(5));
    Future<?> async = other.submit(bulkhead::tryAcquirePermission); // a stage started at 5
    async.get(30, TimeUnit.SECONDS);
    time.advance(ms(5));
    // A completion thread with no permit of its own takes the oldest: main's (10 ms).
    Thread completer = new Thread(bulkhead::onComplete);
    completer.start();
    completer.join();
    time.advance(ms(10));
    bulkhead.onComplete();                        // main's is gone: it gives back the stage's

    assertThat(samples.latencies).containsExactly(ms(10), ms(15));
    assertThat(lane.inFlight()).isZero();
    assertThat(finished).hasValue(2);

    onOtherThread(bulkhead::onComplete);          // the other thread's stale entry: nothing
    bulkhead.onComplete();
    assertThat(lane.inFlight()).isZero();
    assertThat(finished).as("no permit, no event").hasValue(2);
  }

  @Test
  void withNothingOutOnCompleteAndReleasePermissionDoNothing() {
    bulkhead.onComplete();
    bulkhead.releasePermission();
    bulkhead.onComplete();

    assertThat(lane.inFlight()).isZero();
    assertThat(finished).hasValue(0);
    assertThat(samples.latencies).isEmpty();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isZero();
    assertThat(lane.snapshot().ignored(Priority.NORMAL)).isZero();

    // The lane still counts exactly: 8 admitted, the 9th refused.
    for (int i = 0; i < 8; i++) {
      assertThat(bulkhead.tryAcquirePermission()).isTrue();
    }
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    for (int i = 0; i < 10; i++) {
      bulkhead.onComplete();
    }
    assertThat(lane.inFlight()).isZero();
    assertThat(finished).hasValue(8);
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    bulkhead.releasePermission();
  }

  @Test
  void releasePermissionGivesThePermitBackWithoutASample() {
    bulkhead.acquirePermission();
    time.advance(ms(50));
    bulkhead.releasePermission();

    assertThat(lane.inFlight()).isZero();
    assertThat(samples.latencies).isEmpty();
    assertThat(lane.snapshot().ignored(Priority.NORMAL)).isEqualTo(1);
    assertThat(finished).hasValue(0);
  }

  @Test
  void aDecoratedFutureHoldsItsPermitUntilGet() throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    Future<String> future = Bulkhead.decorateFuture(bulkhead, () -> result).get();
    time.advance(ms(8));
    assertThat(lane.inFlight()).isEqualTo(1);
    result.complete("ok");
    assertThat(future.get()).isEqualTo("ok");
    assertThat(future.get()).isEqualTo("ok");  // once only

    assertThat(samples.latencies).containsExactly(ms(8));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void theBookKeepsNothingOnceEveryPermitIsBack() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      bulkhead.tryAcquirePermission();
      onOtherThread(bulkhead::onComplete);
      bulkhead.acquirePermission();
      bulkhead.onComplete();
    }
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();
  }
}
