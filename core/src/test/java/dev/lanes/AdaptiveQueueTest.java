package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@link QueueOrder#ADAPTIVE}: first in, first out while the queue drains; newest first once it
 * has stood through an interval; and an early {@code TIMEOUT} only for a call that clearly cannot
 * be served in time. Time is a {@link ManualTicker}, so every verdict is deterministic.
 */
class AdaptiveQueueTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private final ManualTicker ticker = new ManualTicker();
  private final ManualScheduler scheduler = new ManualScheduler();

  /** A lane of one permit with no latency window: the watch uses CoDel's 5 ms and 100 ms. */
  private Lane lane(QueueOrder order) {
    return Lane.builder("adaptive").algorithm((w, l) -> l).limits(1, 1, 1).ticker(ticker)
        .scheduler(scheduler).window(WindowConfig.disabled()).queueOrder(order).build();
  }

  private static List<CompletableFuture<Permit>> enqueue(Lane lane, int calls, Duration maxWait) {
    List<CompletableFuture<Permit>> waiters = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      waiters.add(lane.acquireAsync(Priority.NORMAL, maxWait));
    }
    return waiters;
  }

  /** Serves {@code calls} waiters one after another, {@code each} apart; returns who got served. */
  private List<Integer> serve(Permit held, List<CompletableFuture<Permit>> waiters, int calls,
      Duration each) {
    List<Integer> served = new ArrayList<>();
    Permit current = held;
    for (int i = 0; i < calls; i++) {
      ticker.advance(each);
      current.close();
      current = null;
      for (int w = 0; w < waiters.size(); w++) {
        CompletableFuture<Permit> f = waiters.get(w);
        if (f.isDone() && !f.isCompletedExceptionally() && taken.add(f)) {
          served.add(w);
          current = f.join();
        }
      }
      assertThat(current).as("a waiter was handed the permit").isNotNull();
    }
    heldAfterServing = current;
    return served;
  }

  private Permit heldAfterServing;

  /** Fires the timeouts of the waits given at most {@code maxWait}, and no others. */
  private void timeOutWaitsOfAtMost(Duration maxWait) {
    scheduler.tasks.stream().filter(t -> t.delayNanos <= maxWait.toNanos())
        .forEach(ManualScheduler.Task::run);
  }
  /** Every future whose permit a test has already taken, across calls of serve(). */
  private final java.util.Set<CompletableFuture<Permit>> taken = new java.util.HashSet<>();

  @Test
  void servesInArrivalOrderWhileTheQueueDrains() {
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 5, LONG);

    List<Integer> served = serve(held, waiters, 5, Duration.ofMillis(1));

    assertThat(served).containsExactly(0, 1, 2, 3, 4);
    heldAfterServing.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void servesNewestFirstOnceTheQueueHasStoodThroughAnInterval() {
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 40, LONG);

    // The first interval: the queue never emptied, but it turned nobody away.
    List<Integer> served = serve(held, waiters, 10, Duration.ofMillis(10));
    ticker.advance(Duration.ofMillis(1));
    waiters.add(lane.acquireAsync(Priority.NORMAL, LONG)); // #40 ends the first interval
    // The second: 10 hand-overs in 100 ms, 100 per second, and the queue never shorter than 21,
    // far more than 5 ms of service (half a call); and a caller ran out of patience. It stands.
    lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(1));
    timeOutWaitsOfAtMost(Duration.ofMillis(1));
    served.addAll(serve(heldAfterServing, waiters, 10, Duration.ofMillis(10)));
    assertThat(served).as("until then, first in, first out")
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);

    ticker.advance(Duration.ofMillis(1));
    waiters.add(lane.acquireAsync(Priority.NORMAL, LONG)); // #41 ends the second interval
    List<Integer> next = serve(heldAfterServing, waiters, 3, Duration.ofMillis(1));
    assertThat(next).as("newest first while the queue stands").containsExactly(41, 40, 39);

    // Let the queue drain: once it has emptied, arrival order is back.
    int left = lane.snapshot().waiting();
    serve(heldAfterServing, waiters, left, Duration.ofMillis(1));
    assertThat(lane.snapshot().waiting()).isZero();
    List<CompletableFuture<Permit>> later = enqueue(lane, 3, LONG);
    List<Integer> afterDrain = serve(heldAfterServing, later, 3, Duration.ofMillis(1));
    assertThat(afterDrain).containsExactly(0, 1, 2);
    heldAfterServing.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void refusesAtOnceOnlyACallThatClearlyCannotBeServedInTime() {
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 80, LONG);
    serve(held, waiters, 20, Duration.ofMillis(5));
    ticker.advance(Duration.ofMillis(1));
    waiters.add(lane.acquireAsync(Priority.NORMAL, LONG)); // ends the first interval
    serve(heldAfterServing, waiters, 20, Duration.ofMillis(5)); // 200 per second; 41 queued
    ticker.advance(Duration.ofMillis(1));

    // 41 ahead at 200/s is 205 ms on average; even with three sigmas of luck (42 - 3 sqrt(42)
    // = 22.6 hand-overs, 113 ms) it cannot make 50 ms. Nobody was turned away, so the queue is
    // served in arrival order: both calls are refused at once.
    CompletableFuture<Permit> normal = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(50));
    assertThat(reasonOf(normal)).isEqualTo(Reason.TIMEOUT);
    CompletableFuture<Permit> background = lane.acquireAsync(Priority.BACKGROUND,
        Duration.ofMillis(50));
    assertThat(reasonOf(background)).isEqualTo(Reason.TIMEOUT);
    // With a full second to wait, either could make it: they queue.
    CompletableFuture<Permit> patient = lane.acquireAsync(Priority.BACKGROUND,
        Duration.ofSeconds(1));
    assertThat(patient).isNotDone();
    CompletableFuture<Permit> patientNormal = lane.acquireAsync(Priority.NORMAL,
        Duration.ofSeconds(1));
    assertThat(patientNormal).isNotDone();
    assertThat(lane.snapshot().timedOut(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().timedOut(Priority.BACKGROUND)).isEqualTo(1);

    lane.close();
    heldAfterServing.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aLongQueueThatTurnsNobodyAwayStaysInArrivalOrder() {
    // Worker threads in a closed loop: a queue as long as there are threads, through interval
    // after interval, and nobody runs out of patience. First in, first out is fair and as fast.
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 30, LONG);
    List<Integer> served = new ArrayList<>();
    for (int interval = 0; interval < 5; interval++) {
      served.addAll(serve(held, waiters, 10, Duration.ofMillis(10)));
      held = heldAfterServing;
      waiters.addAll(enqueue(lane, 10, LONG)); // the served come back to the end of the line
    }
    for (int i = 0; i < served.size(); i++) {
      assertThat(served.get(i)).isEqualTo(i);
    }
    lane.close();
    held.close();
  }

  @Test
  void aQueueThatKeepsGrowingStandsBeforeItTurnsAnyoneAway() {
    // An open stream of callers a little faster than the resource: two arrive for every one
    // served. Nobody's patience runs out yet, but the queue has grown through two intervals.
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 20, LONG);
    List<Integer> served = new ArrayList<>();
    for (int step = 0; step < 21; step++) { // 210 ms: two intervals and a bit
      waiters.addAll(enqueue(lane, 2, LONG));
      served.addAll(serve(held, waiters, 1, Duration.ofMillis(10)));
      held = heldAfterServing;
    }
    assertThat(served.subList(0, 20)).as("while it might be a burst, first in, first out")
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    ticker.advance(Duration.ofMillis(1));
    waiters.addAll(enqueue(lane, 1, LONG)); // ends the second interval of growth
    int newest = waiters.size() - 1;
    List<Integer> next = serve(held, waiters, 2, Duration.ofMillis(1));
    assertThat(next.get(0)).as("newest first once it has grown through two intervals")
        .isEqualTo(newest);
    assertThat(next.get(1)).as("then the next newest still waiting, not the oldest (#21)")
        .isGreaterThan(50);
    lane.close();
    heldAfterServing.close();
    assertThat(lane.snapshot().timedOut(Priority.NORMAL)).isZero();
  }

  @Test
  void aLaneThatHasServedNoQueueYetRefusesNobodyEarly() {
    Lane lane = lane(QueueOrder.ADAPTIVE);
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = enqueue(lane, 500, Duration.ofNanos(1));
    assertThat(waiters).noneMatch(CompletableFuture::isDone);
    held.close();
    lane.close();
  }

  @Test
  void fifoAndLifoKeepTheirOrderWhateverTheQueueDoes() {
    for (QueueOrder order : List.of(QueueOrder.FIFO, QueueOrder.LIFO)) {
      Lane lane = lane(order);
      Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      List<CompletableFuture<Permit>> waiters = enqueue(lane, 40, LONG);
      serve(held, waiters, 10, Duration.ofMillis(10));
      ticker.advance(Duration.ofMillis(1));
      waiters.add(lane.acquireAsync(Priority.NORMAL, LONG));
      serve(heldAfterServing, waiters, 10, Duration.ofMillis(10));
      ticker.advance(Duration.ofMillis(1));
      waiters.add(lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(1)));
      assertThat(waiters.get(41)).as("%s never refuses early", order).isNotDone();
      List<Integer> next = serve(heldAfterServing, waiters, 2, Duration.ofMillis(1));
      if (order == QueueOrder.FIFO) {
        assertThat(next).containsExactly(20, 21);
      } else {
        assertThat(next).containsExactly(41, 20);
      }
      heldAfterServing.close();
      lane.close();
    }
  }

  private static Reason reasonOf(CompletableFuture<Permit> future) {
    assertThat(future).isCompletedExceptionally();
    Throwable cause = future.handle((p, t) -> t).join();
    if (cause instanceof CompletionException) {
      cause = cause.getCause();
    }
    return ((LaneRejectedException) cause).reason();
  }
}
