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
 * Rule 5: "No call is refused before its maxWait while it could still be served."
 *
 * <p>The third review's fix has the waiting room estimate a newcomer's wait with the permits
 * waiters "can use now": {@code Lane.permitsForWaiters} = the limit less the CRITICAL permits out
 * at this instant, on the grounds that "no waiter will get back [those] until those calls end".
 * That treats every CRITICAL call in flight as if it would hold its permit for the newcomer's whole
 * wait. CRITICAL calls use the same device and typically last as long as the others: a burst of
 * them that happens to be in flight when a call arrives divides the estimated service rate by up
 * to the limit, for a state that lasts one service time.
 *
 * <p>Here every call, NORMAL and CRITICAL, lasts exactly 1 ms, limit 4. The queue is measured for
 * 100 ms with no CRITICAL call at all (a permit is held 1 ms, exactly). Then three CRITICAL calls
 * arrive, and at the same instant a NORMAL newcomer with 100 patient waiters ahead of it and a
 * maxWait of 30 ms. The CRITICAL calls end 1 ms later; from then on the waiters have all 4
 * permits, and the newcomer is served about 26 ms after it arrived (the FIFO lane shows it). The
 * ADAPTIVE lane counts 1 permit for the newcomer's whole wait, estimates ~35 ms even with its
 * doubling, and refuses it at once with TIMEOUT.
 *
 * <p>Deterministic: virtual time, and the test plays the device (each permit is closed 1 ms after
 * it was granted), exactly as review3's EarlyTimeoutWhileCriticalHeldPermitsTest, of which this
 * is the mirror image: there CRITICAL calls held permits during the measurement and not at the
 * arrival; here the other way round.
 */
class EarlyTimeoutWhileShortCriticalCallsRunTest {

  private static final Duration PATIENT = Duration.ofSeconds(60);
  private static final Duration NEWCOMER_WAIT = Duration.ofMillis(30);
  private static final long MS = 1_000_000L;

  /** Builds the scenario up to the moment the newcomer arrives; returns the run. */
  private static MillisecondDevice scenario(QueueOrder order) {
    MillisecondDevice run = new MillisecondDevice(
        Lane.builder("short-critical-" + order).limits(4, 4, 4).queueOrder(order));
    Lane lane = run.lane;
    // 504 patient NORMAL callers: 4 take the permits, 500 queue up at once.
    for (int i = 0; i < 504; i++) {
      run.queue.add(lane.acquireAsync(Priority.NORMAL, PATIENT));
    }
    run.collect();
    assertThat(run.running).hasSize(4);
    // 100 ms of NORMAL calls of exactly 1 ms each on all 4 permits: 400 served, 100 still queued.
    for (int ms = 0; ms < 100; ms++) {
      run.tick();
    }
    assertThat(run.queued()).isEqualTo(100);
    // Three CRITICAL calls of 1 ms arrive (they bypass the limit, as CRITICAL does).
    for (int i = 0; i < 3; i++) {
      run.hold(lane.tryAcquire(Priority.CRITICAL).orElseThrow());
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
    System.out.printf("FIFO: newcomer behind %d waiters, 3 CRITICAL calls of 1 ms in flight:"
        + " served after %d ms%n", ahead, waited / MS);
    assertThat(newcomer).isCompleted();
    assertThat(newcomer.join()).isNotNull();
    assertThat(waited).isLessThanOrEqualTo(NEWCOMER_WAIT.toNanos());
  }

  @Test
  void anAdaptiveLaneDoesNotRefuseANewcomerBecauseShortCriticalCallsAreInFlight() {
    MillisecondDevice run = scenario(QueueOrder.ADAPTIVE);
    int ahead = run.queued();
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.NORMAL, NEWCOMER_WAIT);
    String outcome = MillisecondDevice.outcome(newcomer);
    System.out.printf("ADAPTIVE: newcomer behind %d waiters, 3 CRITICAL calls of 1 ms in flight"
        + " (each call 1 ms, 4 permits): %s%n", ahead, outcome);
    assertThat(outcome)
        .as("a call served within ~26 ms on a FIFO lane, maxWait 30 ms, refused at once")
        .isEqualTo("waiting");
  }
}
