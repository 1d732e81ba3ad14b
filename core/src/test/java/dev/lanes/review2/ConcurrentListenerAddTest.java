package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneListener;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * {@code Listeners.add} publishes a listener's events with {@code heard |= entry.events}, a plain
 * read-modify-write of a volatile int ({@code remove} likewise recomputes and overwrites it). Two
 * listeners added to a running lane at the same time (say a metrics binder and an application's
 * own listener) can lose one's bits: the lane then never even makes that event
 * ({@code listeners.hear(...)} is false), and the listener, registered and never removed, hears
 * nothing from then on, until some later add or remove happens to recompute the mask.
 *
 * <p>Many trials on fresh lanes: two threads add one listener each at the same moment (one hears
 * {@code onRejected}, the other {@code onClosed}); the lane then rejects a call and is closed.
 * Stops at the first listener that heard nothing; typically fails within a few seconds here.
 */
class ConcurrentListenerAddTest {

  @Test
  @Timeout(60)
  void twoListenersAddedAtTheSameMomentOneNeverHearsAnything() throws Exception {
    AtomicReference<Lane> current = new AtomicReference<>();
    AtomicInteger go = new AtomicInteger();
    AtomicInteger added = new AtomicInteger();
    AtomicBoolean heardClose = new AtomicBoolean();
    LaneListener closes = new LaneListener() {
      @Override
      public void onClosed(Lane lane) {
        heardClose.set(true);
      }
    };
    Thread other = new Thread(() -> {
      int seen = 0;
      while (true) {
        int g;
        while ((g = go.get()) == seen) {
          Thread.onSpinWait();
        }
        if (g < 0) {
          return;
        }
        seen = g;
        current.get().addListener(closes);
        added.incrementAndGet();
      }
    }, "adds-a-listener");
    other.setDaemon(true);
    other.start();

    AtomicBoolean heardReject = new AtomicBoolean();
    LaneListener rejects = new LaneListener() {
      @Override
      public void onRejected(Lane lane, Priority priority, Reason reason) {
        heardReject.set(true);
      }
    };
    String failure = null;
    long trials = 0;
    long deadline = System.nanoTime() + 20_000_000_000L;
    try {
      for (int gen = 1; failure == null && System.nanoTime() < deadline; gen++, trials++) {
        Lane lane = Lane.builder("listeners").algorithm((w, l) -> l).limits(1, 1, 1)
            .window(WindowConfig.disabled()).build();
        current.set(lane);
        heardReject.set(false);
        heardClose.set(false);
        int before = added.get();
        go.set(gen);
        lane.addListener(rejects);          // at the same moment as the other thread's add
        while (added.get() == before) {
          Thread.onSpinWait();
        }
        Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
        lane.tryAcquire(Priority.NORMAL);   // refused: LIMIT_REACHED
        held.close();
        lane.close();
        if (!heardReject.get() || !heardClose.get()) {
          failure = "trial " + trials + ": onRejected heard " + heardReject.get()
              + ", onClosed heard " + heardClose.get() + " (both listeners added, none removed)";
        }
      }
    } finally {
      go.set(-1);
    }
    System.out.println("trials " + trials + ": " + failure);
    assertThat(failure).as("after %d trials", trials).isNull();
  }
}
