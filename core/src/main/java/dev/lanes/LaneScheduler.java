package dev.lanes;

/**
 * Runs delayed tasks for a lane: the timeouts of {@link Lane#acquireAsync asynchronous waiters}.
 * Simulations pass one driven by virtual time.
 *
 * <pre>{@code
 * LaneScheduler scheduler = (task, delayNanos) -> {
 *   ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
 *   return () -> f.cancel(false);
 * };
 * Lane lane = Lane.builder("db").scheduler(scheduler).build();
 * }</pre>
 */
@FunctionalInterface
public interface LaneScheduler {

  /**
   * Runs {@code task} once, after {@code delayNanos}. The task must be cheap: it only withdraws a
   * waiter and completes its future.
   */
  dev.lanes.Cancellable schedule(Runnable task, long delayNanos);

  /**
   * Returns the shared scheduler: one daemon thread, started on first use, that removes cancelled
   * tasks at once.
   */
  static LaneScheduler system() {
    return SystemScheduler.instance();
  }

  /**
   * The same as {@link dev.lanes.Cancellable}, for code that names it through the scheduler; an
   * implementation may declare either as its return type.
   */
  @FunctionalInterface
  interface Cancellable extends dev.lanes.Cancellable {}
}
