package dev.lanes.review;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.Ticker;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowSummary;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Small helpers shared by the regression tests of the defects an adversarial review found. */
final class Fixtures {

  private Fixtures() {}

  /** An algorithm that keeps the limit and hands the test the lane's {@link LimitControl}. */
  static final class Steer implements LimitAlgorithm {
    volatile LimitControl control;

    @Override
    public void attach(LimitControl lane) {
      this.control = lane;
    }

    @Override
    public int update(WindowSummary window, int currentLimit) {
      return currentLimit;
    }
  }

  /** A clock that moves only when the test says so. */
  static final class Clock implements Ticker {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
      return now.get();
    }

    void advanceMillis(long millis) {
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
  }

  static Permit take(Lane lane, Priority priority) {
    return lane.tryAcquire(priority).orElseThrow(() -> new AssertionError(
        priority + " refused: " + lane.snapshot()));
  }

  static LaneRejectedException.Reason reasonOf(CompletableFuture<?> future) {
    Throwable t = future.handle((v, f) -> f).join();
    if (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof LaneRejectedException r ? r.reason() : null;
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
