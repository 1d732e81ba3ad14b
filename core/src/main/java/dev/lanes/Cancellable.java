package dev.lanes;

/**
 * A scheduled task that can still be called off; what a {@link LaneScheduler} returns.
 *
 * <pre>{@code
 * Cancellable timeout = scheduler.schedule(() -> giveUp(waiter), maxWaitNanos);
 * if (granted) timeout.cancel();
 * }</pre>
 */
@FunctionalInterface
public interface Cancellable {
  /** Calls the task off; returns {@code false} if it has already run or been cancelled. */
  boolean cancel();
}
