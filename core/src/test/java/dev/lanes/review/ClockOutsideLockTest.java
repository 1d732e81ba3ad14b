package dev.lanes.review;

import static dev.lanes.review.Fixtures.awaitQuietly;
import static dev.lanes.review.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.Ticker;
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
 * Rule 11 (user code never delays a hand-over), for the ticker. ADAPTIVE reads the lane's ticker
 * in {@code WaitingRoom.clearlyTooLate}, inside the waiting room's lock. While one arriving
 * caller's ticker read is slow, a permit released on another thread cannot be handed over: the
 * release finds the lock taken, leaves a pending dispatch and returns, and the waiter waits for
 * the unrelated caller's clock. (FIFO and LIFO read no clock there and are not affected.)
 */
class ClockOutsideLockTest {

  @Test
  @Timeout(30)
  void aSlowClockReadOfOneArrivalHoldsUpAHandOverToAnotherWaiter() throws Exception {
    CountDownLatch clockStuck = new CountDownLatch(1);
    CountDownLatch clockMayReturn = new CountDownLatch(1);
    Thread[] slowReader = new Thread[1];
    Ticker ticker = () -> {
      if (Thread.currentThread() == slowReader[0]) {
        clockStuck.countDown();
        awaitQuietly(clockMayReturn); // e.g. a simulation clock behind a lock, a slow source
      }
      return System.nanoTime();
    };
    Lane lane = Lane.builder("slow-clock").algorithm((w, l) -> l).limits(1, 1, 1)
        .ticker(ticker).window(WindowConfig.disabled()).build(); // ADAPTIVE, the default
    Permit held = take(lane, Priority.NORMAL);
    CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, Duration.ofSeconds(30));

    slowReader[0] = new Thread(
        () -> lane.acquireAsync(Priority.NORMAL, Duration.ofSeconds(30)), "arrival");
    slowReader[0].start();
    try {
      assertThat(clockStuck.await(10, TimeUnit.SECONDS)).isTrue();
      held.close(); // frees the only permit: it belongs to the waiter
      try {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3)).until(waiter::isDone);
      } catch (org.awaitility.core.ConditionTimeoutException notYet) {
        // reported by the assertion below, with the lane's state
      }
      assertThat(waiter.isDone())
          .as("waiter 3 s after the only permit was freed (in flight %d, limit %d), while another"
              + " caller's clock read is in progress", lane.inFlight(), lane.limit())
          .isTrue();
    } finally {
      clockMayReturn.countDown();
      slowReader[0].join();
    }
  }
}
