package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * Rule 11: "running user code (listeners, future callbacks, ...) can never delay ... a hand-over;
 * a freed permit reaches the next waiter whatever that code does."
 *
 * <p>{@code WaitingRoom.requestDispatch} loops: take the lock, clear {@code dispatchPending},
 * dispatch, unlock, then {@code signalAll} (user code: the granted waiter's future callbacks run
 * here) and only then look at {@code dispatchPending} again. A second release that lands while the
 * first thread holds the lock sets {@code dispatchPending}, fails {@code tryLock} and returns,
 * trusting the holder to dispatch for it. The holder does, but only after the first waiter's
 * callback has returned: the second freed permit sits in the gate, and the second waiter waits,
 * for as long as that unrelated callback runs. (Review 1's fix covers several waiters granted in
 * one dispatch; this is two releases, two dispatches.)
 *
 * <p>Two permits are out, two async waiters queued; the first waiter's callback does blocking work
 * under its permit (the pattern {@code acquireAsync(..).thenAccept(p -> { try (p) { work(); }})}).
 * Two threads free the two permits at the same moment. Many trials; the one where the second
 * release hits the first thread's locked dispatch shows the second waiter unserved, with a permit
 * free, until the callback returns.
 */
class SecondReleaseDuringCallbackTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  @Timeout(90)
  void aSecondReleaseDuringTheFirstDispatchWaitsForTheFirstWaitersCallback() throws Exception {
    Releaser a = new Releaser("releaser-a");
    Releaser b = new Releaser("releaser-b");
    String failure = null;
    int trials = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Lane lane = Lane.builder("pending").algorithm((w, l) -> l).limits(2, 2, 2)
        .window(WindowConfig.disabled()).maxWait(LONG).build();
    try {
      for (int gen = 1; failure == null && System.nanoTime() < deadline; gen++, trials++) {
        Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
        Permit second = lane.tryAcquire(Priority.NORMAL).orElseThrow();
        AtomicBoolean callbackRunning = new AtomicBoolean();
        AtomicBoolean callbackMayFinish = new AtomicBoolean();
        CompletableFuture<Permit> w1 = lane.acquireAsync(Priority.NORMAL, LONG);
        CompletableFuture<Void> w1Work = w1.thenAccept(p -> {
          try (p) {
            callbackRunning.set(true);
            waitFor(callbackMayFinish::get, 30); // blocking work under the permit
          }
        });
        CompletableFuture<Permit> w2 = lane.acquireAsync(Priority.NORMAL, LONG);

        a.permit = first;
        b.permit = second;
        GO.set(gen); // both release at the same moment

        assertThat(waitFor(callbackRunning::get, 20)).isTrue();
        // Both first holders have released (or are releasing); the first waiter's callback runs.
        // The second waiter must get the other permit now, whatever that callback does.
        if (!waitFor(w2::isDone, 2)) {
          failure = "trial " + trials + ": the second waiter not served 2 s after both permits"
              + " were freed, while the first waiter's callback runs on " + a.blockedOrB(b)
              + " (in flight " + lane.inFlight() + ", limit " + lane.limit() + ", waiting "
              + lane.snapshot().waiting() + ")";
        }
        callbackMayFinish.set(true);
        assertThat(waitFor(() -> a.done.get() == GO.get() && b.done.get() == GO.get(), 20))
            .as("both releases returned").isTrue();
        w1Work.get(20, TimeUnit.SECONDS);
        w2.get(20, TimeUnit.SECONDS).close();
        assertThat(lane.inFlight()).isZero();
      }
    } finally {
      GO.set(-1);
    }
    System.out.println("trials " + trials + ": " + failure);
    assertThat(failure).as("after %d trials", trials).isNull();
  }

  private static final AtomicInteger GO = new AtomicInteger();

  /** Polls {@code condition} for at most {@code seconds}. */
  private static boolean waitFor(java.util.function.BooleanSupplier condition, int seconds) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        return false;
      }
      // Off the CPU between polls: the two releasers need the machine's cores to themselves.
      java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    }
    return true;
  }
  private static final int JITTER = 1024;

  /** A thread that releases its permit the moment GO moves on. */
  private static final class Releaser extends Thread {
    volatile Permit permit;
    final AtomicInteger done = new AtomicInteger();
    volatile boolean releasing;
    final java.util.SplittableRandom jitter = new java.util.SplittableRandom(getName().hashCode());

    Releaser(String name) {
      super(name);
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      int seen = 0;
      while (true) {
        int g;
        int spins = 0;
        while ((g = GO.get()) == seen) {
          if ((++spins & 1023) == 0) {
            Thread.yield();
          } else {
            Thread.onSpinWait();
          }
        }
        if (g < 0) {
          return;
        }
        seen = g;
        for (int i = jitter.nextInt(JITTER); i > 0; i--) {
          Thread.onSpinWait(); // sweeps the offset between the two releases
        }
        releasing = true;
        permit.close();
        releasing = false;
        done.set(g);
      }
    }

    String blockedOrB(Releaser other) {
      return releasing ? getName() : other.getName();
    }
  }
}
