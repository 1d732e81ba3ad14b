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
import org.junit.jupiter.api.Test;

/**
 * Rule 5: "No call is refused before its maxWait while it could still be served."
 *
 * <p>The third review's fix counts, per hand-over, the permits waiters "can use": the bound of the
 * waiter's priority less what CRITICAL calls hold ({@code Lane.permitsForWaiters}). For a
 * BACKGROUND queue, permits held by NORMAL calls are just as unusable: NORMAL calls take the fast
 * path while only BACKGROUND waits (the BACKGROUND flag does not block them), and they may hold
 * most of the limit. The watch then records the whole bound for each hand-over, and works out a
 * hold time as many times too long as the bound is larger than what BACKGROUND really had.
 *
 * <p>Here limit 10, no reserve. For 100 ms, eight long NORMAL calls hold 8 permits, and a
 * BACKGROUND scan of 1 ms calls gets the other 2 (200 hand-overs): the watch believes a permit is
 * held 5 ms. The NORMAL calls then end; the scan has all 10 permits, and a BACKGROUND newcomer
 * with 92 patient waiters ahead of it is served after 10 ms (the FIFO lane shows it). With a
 * maxWait of 12 ms, ADAPTIVE estimates 16 ms, doubling included, and refuses it at once.
 *
 * <p>Deterministic: virtual time; the test plays the device.
 */
class EarlyTimeoutForBackgroundBehindNormalCallsTest {

  private static final Duration PATIENT = Duration.ofSeconds(60);
  private static final Duration NEWCOMER_WAIT = Duration.ofMillis(12);
  private static final long MS = 1_000_000L;

  private static MillisecondDevice scenario(QueueOrder order) {
    MillisecondDevice run = new MillisecondDevice(
        Lane.builder("background-behind-normal-" + order).limits(10, 10, 10).backgroundReserve(0)
            .queueOrder(order).callbackExecutor(Runnable::run));
    Lane lane = run.lane;
    List<Permit> normal = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      normal.add(lane.tryAcquire(Priority.NORMAL).orElseThrow());
    }
    // A BACKGROUND scan: 2 calls take the slack, 300 queue up.
    for (int i = 0; i < 302; i++) {
      run.queue.add(lane.acquireAsync(Priority.BACKGROUND, PATIENT));
    }
    run.collect();
    assertThat(run.running).hasSize(2);
    for (int ms = 0; ms < 100; ms++) {
      run.tick(); // 2 BACKGROUND calls of 1 ms per ms
    }
    normal.forEach(Permit::close); // the NORMAL calls end: the scan has all 10 permits
    run.collect();
    assertThat(run.running).hasSize(10);
    return run;
  }

  @Test
  void aFifoLaneServesTheBackgroundNewcomerWithinItsMaxWait() {
    MillisecondDevice run = scenario(QueueOrder.FIFO);
    long arrived = run.time.now.get();
    int ahead = run.queued();
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.BACKGROUND, NEWCOMER_WAIT);
    run.queue.add(newcomer);
    while (!newcomer.isDone() && run.time.now.get() - arrived < NEWCOMER_WAIT.toNanos()) {
      run.tick();
    }
    long waited = run.time.now.get() - arrived;
    System.out.printf("FIFO: BACKGROUND newcomer behind %d waiters: served after %d ms%n", ahead,
        waited / MS);
    assertThat(newcomer).isCompleted();
    assertThat(newcomer.join()).isNotNull();
    assertThat(waited).isLessThanOrEqualTo(NEWCOMER_WAIT.toNanos());
  }

  @Test
  void anAdaptiveLaneDoesNotRefuseABackgroundNewcomerThatWouldBeServedInTime() {
    MillisecondDevice run = scenario(QueueOrder.ADAPTIVE);
    int ahead = run.queued();
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.BACKGROUND, NEWCOMER_WAIT);
    String outcome = MillisecondDevice.outcome(newcomer);
    System.out.printf("ADAPTIVE: BACKGROUND newcomer behind %d waiters (10 permits of 1 ms now,"
        + " 2 during the measurement): %s%n", ahead, outcome);
    assertThat(outcome)
        .as("a call served within ~10 ms on a FIFO lane, maxWait 12 ms, refused at once")
        .isEqualTo("waiting");
  }
}
