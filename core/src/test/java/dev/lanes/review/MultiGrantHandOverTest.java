package dev.lanes.review;

import static dev.lanes.review.Fixtures.awaitQuietly;
import static dev.lanes.review.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * Rule 11: a freed permit reaches the next waiter whatever user code does. When one dispatch hands
 * permits to several waiters, they are told one after another on the dispatching thread, so the
 * future callback of the first holds up the hand-over to the second: it is admitted in the gate
 * (counted in flight) but its caller is not told until the first callback returns. A common
 * async pattern, {@code acquireAsync(...).thenAccept(p -> { try (p) { blockingCall(); } })},
 * triggers it.
 */
class MultiGrantHandOverTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  @Timeout(30)
  void theCallbackOfOneGrantedWaiterDelaysTheHandOverToTheNext() throws Exception {
    Fixtures.Steer steer = new Fixtures.Steer();
    Lane lane = Lane.builder("chain").algorithm(steer).limits(1, 1, 4).maxWait(LONG)
        .window(WindowConfig.disabled()).build();
    Permit held = take(lane, Priority.NORMAL);

    CountDownLatch firstCallbackRunning = new CountDownLatch(1);
    CountDownLatch firstCallbackMayFinish = new CountDownLatch(1);
    CompletableFuture<Permit> first = lane.acquireAsync(Priority.NORMAL, LONG);
    first.thenAccept(permit -> {
      try (permit) {
        firstCallbackRunning.countDown();
        awaitQuietly(firstCallbackMayFinish); // the user's blocking work under its permit
      }
    });
    CompletableFuture<Permit> second = lane.acquireAsync(Priority.NORMAL, LONG);

    // One dispatch with room for both waiters (an algorithm raising the limit).
    Thread raiser = new Thread(() -> steer.control.propose(3), "limit-raiser");
    raiser.start();
    try {
      assertThat(firstCallbackRunning.await(10, TimeUnit.SECONDS)).isTrue();
      // The second waiter's permit is already taken for it in the gate...
      assertThat(lane.inFlight()).isEqualTo(3);
      // ...but it is not told while the first waiter's callback runs.
      try {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(second::isDone);
      } catch (org.awaitility.core.ConditionTimeoutException notYet) {
        // reported by the assertion below, with the lane's state
      }
      assertThat(second.isDone())
          .as("second waiter granted in the gate (in flight %d, limit %d) but its future is not"
              + " completed 3 s later, because the first waiter's callback is still running on"
              + " the dispatching thread (raiser still inside propose(): %s)",
              lane.inFlight(), lane.limit(), raiser.isAlive())
          .isTrue();
    } finally {
      firstCallbackMayFinish.countDown();
      raiser.join();
    }
    second.join().close();
    held.close();
    assertThat(lane.inFlight()).isZero();
  }
  /**
   * The same serial signalling turns a callback that waits for another of its own futures into a
   * deadlock when both are granted in one dispatch: the first callback waits for the second
   * future, which is completed only after the first callback returns. The thread that raised the
   * limit never comes back.
   */
  @Test
  @Timeout(30)
  void aCallbackWaitingForASecondPermitOfTheSameDispatchDeadlocks() throws Exception {
    Fixtures.Steer steer = new Fixtures.Steer();
    Lane lane = Lane.builder("chain-deadlock").algorithm(steer).limits(1, 1, 4).maxWait(LONG)
        .window(WindowConfig.disabled()).build();
    Permit held = take(lane, Priority.NORMAL);
    CompletableFuture<Permit> first = lane.acquireAsync(Priority.NORMAL, LONG);
    CompletableFuture<Permit> second = lane.acquireAsync(Priority.NORMAL, LONG);
    CompletableFuture<Void> both = first.thenAccept(p -> {
      try (p; Permit q = second.join()) { // needs two permits of the lane
        // work with both
      }
    });

    Thread raiser = new Thread(() -> steer.control.propose(3), "limit-raiser");
    raiser.start();
    raiser.join(3_000);
    boolean stuck = raiser.isAlive();
    int inFlight = lane.inFlight();
    if (stuck) {
      second.cancel(false); // break the cycle so the test can clean up
      raiser.join();
    }
    assertThat(stuck)
        .as("propose(3) did not return within 3 s: both waiters granted (in flight %d), the"
            + " first one's callback waits for the second's future, which is signalled after it",
            inFlight)
        .isFalse();
    both.join();
    held.close();
  }
  /**
   * The same with the scheduler as the user code: the first waiter's {@code cancel()} of its
   * timeout (say, an executor whose cancel waits for a lock) holds up the second hand-over.
   */
  @Test
  @Timeout(30)
  void aSlowCancelOfOneWaitersTimeoutDelaysTheHandOverToTheNext() throws Exception {
    CountDownLatch cancelRunning = new CountDownLatch(1);
    CountDownLatch cancelMayReturn = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger scheduled = new java.util.concurrent.atomic.AtomicInteger();
    dev.lanes.LaneScheduler scheduler = (task, delay) -> {
      boolean slow = scheduled.incrementAndGet() == 1; // the first waiter's timeout
      return (dev.lanes.Cancellable) () -> {
        if (slow) {
          cancelRunning.countDown();
          awaitQuietly(cancelMayReturn);
        }
        return true;
      };
    };
    Fixtures.Steer steer = new Fixtures.Steer();
    Lane lane = Lane.builder("chain-cancel").algorithm(steer).limits(1, 1, 4).maxWait(LONG)
        .scheduler(scheduler).window(WindowConfig.disabled()).build();
    Permit held = take(lane, Priority.NORMAL);
    CompletableFuture<Permit> first = lane.acquireAsync(Priority.NORMAL, LONG);
    CompletableFuture<Permit> second = lane.acquireAsync(Priority.NORMAL, LONG);

    Thread raiser = new Thread(() -> steer.control.propose(3), "limit-raiser");
    raiser.start();
    try {
      assertThat(cancelRunning.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(second::isDone);
      } catch (org.awaitility.core.ConditionTimeoutException notYet) {
        // reported by the assertion below, with the lane's state
      }
      assertThat(second.isDone())
          .as("second waiter granted in the gate (in flight %d) but not told 3 s later, while"
              + " the first waiter's timeout is being cancelled", lane.inFlight())
          .isTrue();
    } finally {
      cancelMayReturn.countDown();
      raiser.join();
    }
    first.join().close();
    second.join().close();
    held.close();
  }
}
