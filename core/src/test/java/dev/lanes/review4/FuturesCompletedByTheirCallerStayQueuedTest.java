package dev.lanes.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.review.MillisecondDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rules 5 and 6: a call is refused {@code QUEUE_FULL} only when the queue is full, and "no call
 * is refused before its maxWait while it could still be served".
 *
 * <p>{@code PermitFuture} documents that the caller settles a waiter's future "by cancelling or
 * completing it", and {@code Lane.acquireAsync} withdraws the waiter when its future fails
 * ({@code cancel}, {@code completeExceptionally}, {@code orTimeout}): its {@code whenComplete}
 * leaves the queue only {@code if (failure != null ...)}. A future the caller completes normally,
 * {@code complete(null)}, or the JDK's own idiom for "a permit within 10 ms, or carry on without
 * one", {@code completeOnTimeout(null, 10, MILLISECONDS)}, is settled for good, but its waiter
 * stays in the queue for the lane's whole maxWait: it takes a place of {@code maxQueued}, counts
 * as waiting, and is counted ahead of real callers. When the queue is full of them, a real caller
 * is refused {@code QUEUE_FULL} at once, although nobody real is waiting and the next permit
 * freed would be its.
 *
 * <p>Deterministic: one permit held, four callers that completed their futures themselves, then a
 * real caller.
 */
class FuturesCompletedByTheirCallerStayQueuedTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  @Test
  void callersThatCompletedTheirOwnFuturesDoNotFillTheQueue() throws Exception {
    Lane lane = Lane.builder("ghosts").algorithm((w, l) -> l).limits(1, 1, 1)
        .queueOrder(QueueOrder.FIFO).maxQueued(4).maxWait(LONG).build();
    try {
      Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      List<CompletableFuture<Permit>> gaveUp = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        CompletableFuture<Permit> f = lane.acquireAsync(Priority.NORMAL, LONG);
        // "A permit within 1 ms, or carry on without one": settled by the JDK's timer.
        f.completeOnTimeout(null, 1, TimeUnit.MILLISECONDS);
        gaveUp.add(f);
      }
      for (CompletableFuture<Permit> f : gaveUp) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isNull(); // every one of them carried on
      }
      int waitingWithNobodyWaiting = lane.snapshot().waiting();

      CompletableFuture<Permit> real = lane.acquireAsync(Priority.NORMAL, LONG);
      String outcome = MillisecondDevice.outcome(real);
      System.out.printf("4 callers settled their futures themselves; the lane still counts %d"
          + " waiting; a real caller (maxWait 1 min): %s%n", waitingWithNobodyWaiting, outcome);
      held.close();
      if (real.isDone() && !real.isCompletedExceptionally()) {
        real.join().close();
      }
      assertThat(outcome)
          .as("the only real waiter, served by the next permit freed").isEqualTo("waiting");
      assertThat(waitingWithNobodyWaiting)
          .as("waiters whose futures are settled for good").isZero();
    } finally {
      lane.close();
    }
  }
}
