package dev.lanes.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.review.MillisecondDevice;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Rule 5: "No call is refused before its maxWait while it could still be served." Rule 7:
 * "Raising [the limit] wakes as many waiters as the new headroom allows."
 *
 * <p>{@code QueueWatch} estimates how long a permit is held as {@code S = elapsed ×
 * permitsAtGrants / grants²}: the permits waiters could use, averaged per hand-over, not per unit
 * of time. The comment the third review's fix added to {@code QueueWatch.granted} says so: "a
 * burst of hand-overs right after a raise of the limit weighs the new limit more than its time
 * deserves, so the hold time comes out longer, for that interval, than it was". A longer hold time
 * is a slower estimated service, which refuses more calls early, not fewer: the error goes against
 * rule 5, and the doubling in {@code clearlyTooLate} only covers a factor of 2.
 *
 * <p>Here every call lasts exactly 1 ms. The lane runs at limit 1 for 90 ms of a 100 ms interval,
 * then the limit is raised to 10 (an operator's {@code setLimitBounds}, or the algorithm). The
 * interval's hand-overs are mostly at limit 10, so the watch believes a permit is held about 3 ms.
 * A newcomer with 400 patient waiters ahead of it and a maxWait of 45 ms arrives at the end of the
 * interval: with 10 permits of 1 ms it is served after about 41 ms (the FIFO lane shows it), but
 * ADAPTIVE estimates about 51 ms, doubling included, and refuses it at once with TIMEOUT.
 *
 * <p>Deterministic: virtual time; the test plays the device (each permit is closed 1 ms after it
 * was granted), as in review3's EarlyTimeoutWhileCriticalHeldPermitsTest.
 */
class EarlyTimeoutAfterALimitRaiseTest {

  private static final Duration PATIENT = Duration.ofSeconds(60);
  private static final Duration NEWCOMER_WAIT = Duration.ofMillis(45);
  private static final long MS = 1_000_000L;

  /** Builds the scenario up to the moment the newcomer arrives; returns the run. */
  private static MillisecondDevice scenario(QueueOrder order) {
    MillisecondDevice run = new MillisecondDevice(
        Lane.builder("limit-raise-" + order).limits(1, 1, 10).queueOrder(order)
            .callbackExecutor(Runnable::run)); // every hand-over completes before the test goes on
    Lane lane = run.lane;
    // 1 caller takes the permit, 600 patient NORMAL callers queue up at once.
    for (int i = 0; i < 601; i++) {
      run.queue.add(lane.acquireAsync(Priority.NORMAL, PATIENT));
    }
    run.collect();
    assertThat(run.running).hasSize(1);
    for (int ms = 0; ms < 90; ms++) {
      run.tick(); // limit 1: one call per ms
    }
    lane.setLimitBounds(10, 10); // the limit rises to 10 and wakes 9 more waiters
    run.collect();
    assertThat(run.running).hasSize(10);
    for (int ms = 0; ms < 10; ms++) {
      run.tick(); // limit 10: ten calls per ms
    }
    return run;
  }

  @Test
  void aFifoLaneServesTheNewcomerWithinItsMaxWait() {
    MillisecondDevice.Newcomer served =
        scenario(QueueOrder.FIFO).serveNewcomer(NEWCOMER_WAIT);
    CompletableFuture<Permit> newcomer = served.call();
    int ahead = served.ahead();
    long waited = served.waitedNanos();
    System.out.printf("FIFO: newcomer behind %d waiters after a raise to 10: served after %d ms%n",
        ahead, waited / MS);
    assertThat(newcomer).isCompleted();
    assertThat(newcomer.join()).isNotNull();
    assertThat(waited).isLessThanOrEqualTo(NEWCOMER_WAIT.toNanos());
  }

  @Test
  void anAdaptiveLaneDoesNotRefuseANewcomerRightAfterTheLimitRose() {
    MillisecondDevice run = scenario(QueueOrder.ADAPTIVE);
    int ahead = run.queued();
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.NORMAL, NEWCOMER_WAIT);
    String outcome = MillisecondDevice.outcome(newcomer);
    System.out.printf("ADAPTIVE: newcomer behind %d waiters after a raise to 10 (each call 1 ms):"
        + " %s%n", ahead, outcome);
    assertThat(outcome)
        .as("a call served within ~41 ms on a FIFO lane, maxWait 45 ms, refused at once")
        .isEqualTo("waiting");
  }
}
