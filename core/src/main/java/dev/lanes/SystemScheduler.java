package dev.lanes;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link LaneScheduler}: one lazily started daemon thread keeps time for all lanes,
 * and hands each task that falls due to {@link Callbacks}. A timeout completes a caller's future,
 * which runs the caller's callbacks; run on the timer thread, one slow callback would hold up every
 * other lane's timeouts.
 */
final class SystemScheduler implements LaneScheduler {

  private final ScheduledThreadPoolExecutor executor;

  private SystemScheduler() {
    executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "lanes-timeouts");
      thread.setDaemon(true);
      return thread;
    });
    // Most waits end with a permit, not a timeout: drop their timers at once instead of keeping
    // them in the queue until they would have fired.
    executor.setRemoveOnCancelPolicy(true);
  }

  static LaneScheduler instance() {
    return Holder.INSTANCE;
  }

  @Override
  public dev.lanes.Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> future =
        executor.schedule(() -> Callbacks.execute(task), delayNanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  private static final class Holder {
    static final SystemScheduler INSTANCE = new SystemScheduler();
  }
}
