package dev.lanes.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Rule 8 and the {@link java.util.concurrent.Future#cancel} contract: "After this method returns,
 * subsequent calls to {@link java.util.concurrent.Future#isDone} will always return true."
 * ({@code CompletableFuture.cancel} keeps it: it returns {@code cancelled || isCancelled()} after
 * settling the future.)
 *
 * <p>{@code PermitFuture} lets the lane claim the future some time before it completes it: in
 * {@code AsyncWaiter.signal}, between {@code future.claim()} and {@code future.deliver(permit)},
 * the lane makes the permit (reading the ticker, user code) and counts it. A caller that cancels
 * in that gap gets {@code false} from {@code cancel}, and the future is still not done;
 * {@code complete} and {@code completeExceptionally} likewise return false on a future that is not
 * done, which their contract reserves for a future already completed.
 *
 * <p>A caller that withdraws the usual way for a future that may already hold a permit,
 * {@code if (!f.cancel(false)) { Permit p = f.getNow(null); if (p != null) p.close(); }}, which
 * the contract makes safe, finds no permit, and the permit delivered a moment later is never
 * released.
 *
 * <p>Deterministic: the ticker holds the signalling thread inside {@code AsyncWaiter.signal}
 * (after the claim) until the caller has cancelled.
 */
class CancelThatReturnsBeforeTheFutureIsDoneTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private static boolean inAsyncWaiterSignal() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(
        f -> f.getClassName().equals("dev.lanes.AsyncWaiter") && f.getMethodName().equals("signal")));
  }

  @Test
  void aCancelThatLosesTheRaceLeavesTheFutureNotDoneAndThePermitUnreleased() throws Exception {
    AtomicBoolean armed = new AtomicBoolean(true);
    CountDownLatch inSignal = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    Ticker ticker = () -> {
      if (armed.get() && inAsyncWaiterSignal() && armed.compareAndSet(true, false)) {
        inSignal.countDown(); // the future is claimed; the permit is being made
        try {
          cancelled.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return System.nanoTime();
    };
    Lane lane = Lane.builder("cancel-gap").algorithm((w, l) -> l).limits(1, 1, 1)
        .queueOrder(QueueOrder.FIFO).ticker(ticker).maxWait(LONG).build();
    try {
      Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
      Thread releaser = new Thread(first::close, "releaser");
      releaser.start();
      assertThat(inSignal.await(10, TimeUnit.SECONDS)).isTrue();

      // The caller withdraws, and releases whatever permit the future may already hold.
      boolean cancelResult = waiter.cancel(false);
      boolean doneAfterCancel = waiter.isDone();
      boolean completeResult = waiter.complete(null);
      boolean doneAfterComplete = waiter.isDone();
      Permit alreadyThere = cancelResult ? null : waiter.getNow(null);
      if (alreadyThere != null) {
        alreadyThere.close();
      }
      cancelled.countDown();
      releaser.join(10_000);

      System.out.printf("cancel() = %s, then isDone() = %s; complete(null) = %s, then isDone() ="
              + " %s; getNow(null) = %s; finally %s, in flight %d%n", cancelResult,
          doneAfterCancel, completeResult, doneAfterComplete, alreadyThere, waiter,
          lane.inFlight());
      assertThat(doneAfterCancel)
          .as("Future.cancel: after it returns, isDone() is true").isTrue();
      assertThat(lane.inFlight())
          .as("the caller withdrew and released what the future held: nothing in flight")
          .isZero();
    } finally {
      lane.close();
    }
  }
}
