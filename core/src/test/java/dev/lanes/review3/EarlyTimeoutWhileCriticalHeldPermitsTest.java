package dev.lanes.review3;

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
 * <p>{@code QueueWatch} estimates how long a permit is held as {@code S = elapsed × permitsAtGrants
 * / grants²}, where {@code permitsAtGrants} adds up {@code gate.bound(priority)} (the limit) at
 * each hand-over: "the permits a waiter could use". CRITICAL permits count toward in-flight, so
 * while CRITICAL calls hold part of the limit, waiters can use only what is left, and {@code S}
 * comes out as many times too long as the limit is larger than what was left. Here every NORMAL
 * call lasts exactly 1 ms, before and after; three CRITICAL calls hold 3 of the 4 permits for the
 * first interval, so the watch believes a permit is held 4 ms. When they finish, the waiters have
 * all 4 permits, and a newcomer with 97 waiters ahead of it is served in about 25 ms; with a
 * maxWait of 30 ms, ADAPTIVE refuses it at once with TIMEOUT (estimate: about 33 ms, doubling
 * included).
 *
 * <p>Deterministic: virtual time, and the test itself plays the resource (each NORMAL permit is
 * closed 1 ms after it was granted). The same schedule on a FIFO lane shows the newcomer served
 * within its maxWait.
 */
class EarlyTimeoutWhileCriticalHeldPermitsTest {

  private static final Duration PATIENT = Duration.ofSeconds(60);
  private static final Duration NEWCOMER_WAIT = Duration.ofMillis(30);
  private static final long MS = 1_000_000L;

  /** Builds the scenario up to the moment the newcomer arrives; returns the run. */
  private static MillisecondDevice scenario(QueueOrder order) {
    MillisecondDevice run = new MillisecondDevice(
        Lane.builder("early-timeout-" + order).limits(4, 4, 4).queueOrder(order));
    Lane lane = run.lane;
    // Three long CRITICAL calls and one NORMAL call fill the limit of 4.
    List<Permit> critical = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      critical.add(lane.tryAcquire(Priority.CRITICAL).orElseThrow());
    }
    run.hold(lane.tryAcquire(Priority.NORMAL).orElseThrow());
    // 200 patient NORMAL callers queue up at once.
    for (int i = 0; i < 200; i++) {
      run.queue.add(lane.acquireAsync(Priority.NORMAL, PATIENT));
    }
    // 100 ms with one permit left to NORMAL calls of exactly 1 ms each.
    for (int ms = 0; ms < 100; ms++) {
      run.tick();
    }
    // The CRITICAL calls end; the waiters now have all 4 permits. Calls still take 1 ms.
    critical.forEach(Permit::close);
    run.collect();
    assertThat(run.running).hasSize(4);
    return run;
  }

  @Test
  void aFifoLaneServesTheNewcomerWithinItsMaxWait() {
    MillisecondDevice.Newcomer served =
        scenario(QueueOrder.FIFO).serveNewcomer(NEWCOMER_WAIT);
    CompletableFuture<Permit> newcomer = served.call();
    int ahead = served.ahead();
    long waited = served.waitedNanos();
    System.out.printf("FIFO: newcomer behind %d waiters served after %d ms%n", ahead, waited / MS);
    assertThat(newcomer).isCompleted();
    assertThat(newcomer.join()).isNotNull();
    assertThat(waited).isLessThanOrEqualTo(NEWCOMER_WAIT.toNanos());
  }

  @Test
  void anAdaptiveLaneDoesNotRefuseANewcomerThatWouldBeServedInTime() {
    MillisecondDevice run = scenario(QueueOrder.ADAPTIVE);
    int ahead = run.queued();
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.NORMAL, NEWCOMER_WAIT);
    String outcome = MillisecondDevice.outcome(newcomer);
    System.out.printf("ADAPTIVE: newcomer behind %d waiters (each call 1 ms, 4 permits): %s%n",
        ahead, outcome);
    assertThat(outcome)
        .as("a call served within ~25 ms on a FIFO lane, maxWait 30 ms, refused at once")
        .isEqualTo("waiting");
  }
}
