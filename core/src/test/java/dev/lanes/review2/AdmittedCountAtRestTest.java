package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * Claim of {@code Gate}/{@code LaneCounters} (commit 18e963d): NORMAL admissions derived from the
 * gate word are "never ahead of the truth, never falling, exact at rest".
 *
 * <p>A NORMAL permit that the waiting room takes for an asynchronous waiter is in the gate word
 * (releases + in flight) from {@code admitWaiter} on, but only leaves the derived figure again
 * when {@code giveBack} counts it, which happens later, in {@code AsyncWaiter.signal}, if the
 * caller cancelled its future in between. A reader in that gap (any metrics scrape) gets a figure
 * that includes a permit no caller ever received; {@code LaneCounters.raise} then keeps that
 * figure for good, since a total "never falls". The lane comes to rest with
 * {@code admitted(NORMAL)} one above the permits its callers got, and above
 * completed + dropped + ignored, until some later NORMAL admission happens to overtake it.
 *
 * <p>Deterministic: the read happens in the scheduler's {@code cancel()}, which the signal runs
 * between the grant and the giveBack; the same future is cancelled right after (the scenario of
 * {@code LaneHardeningTest.aPermitHandedToAFutureCancelledAtThatMomentIsNotCountedAsAdmitted},
 * plus one read).
 */
class AdmittedCountAtRestTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void aReadDuringACancelledHandOverLeavesAdmittedNormalAheadForGood() {
    AtomicReference<Lane> laneRef = new AtomicReference<>();
    AtomicReference<CompletableFuture<Permit>> victim = new AtomicReference<>();
    AtomicReference<LaneSnapshot> during = new AtomicReference<>();
    LaneScheduler scheduler = (task, delay) -> (Cancellable) () -> {
      CompletableFuture<Permit> f = victim.get();
      if (f != null && during.get() == null) {
        during.set(laneRef.get().snapshot()); // e.g. a metrics scrape on another thread, now
        f.cancel(false);                      // the caller gives up at the same moment
      }
      return true;
    };
    Lane lane = Lane.builder("cancel-count").algorithm((w, l) -> l).limits(1, 1, 1)
        .scheduler(scheduler).window(WindowConfig.disabled()).maxWait(LONG).build();
    laneRef.set(lane);

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();   // the one real admission
    CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
    victim.set(waiter);
    held.close();

    assertThat(waiter).isCancelled();
    assertThat(lane.inFlight()).isZero();
    LaneSnapshot atRest = lane.snapshot();
    assertThat(atRest.admitted(Priority.NORMAL))
        .as("admitted(NORMAL) at rest: exactly one NORMAL permit ever reached a caller (completed"
            + " %d, dropped %d, ignored %d); a read during the cancelled hand-over saw %d",
            atRest.completed(Priority.NORMAL), atRest.dropped(Priority.NORMAL),
            atRest.ignored(Priority.NORMAL), during.get().admitted(Priority.NORMAL))
        .isEqualTo(1);
  }
}
