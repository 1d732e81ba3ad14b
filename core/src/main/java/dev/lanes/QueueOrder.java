package dev.lanes;

/**
 * The order in which waiters of one priority receive freed permits.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("api").queueOrder(QueueOrder.FIFO).build();   // strict arrival order
 * }</pre>
 *
 * <p>{@link #ADAPTIVE}, the default, is what a queue in front of a saturated resource needs: a
 * queue that drains is served in arrival order, but a queue that stands (it has not emptied, and
 * has held more than a couple of service times' worth of calls, for a whole interval) is served
 * newest first, so the calls that run are the ones whose callers are still waiting, while the
 * oldest run out their {@code maxWait} as they would have anyway. It also refuses at once, with
 * {@code TIMEOUT}, a call that clearly cannot be served within its {@code maxWait}.
 * {@link #FIFO} and {@link #LIFO} keep one order whatever the queue does.
 */
public enum QueueOrder {
  /** The oldest waiter goes first, always. */
  FIFO,
  /** The newest waiter goes first, always. */
  LIFO,
  /**
   * Oldest first while the queue drains, newest first while it stands; refuses at once a call
   * whose expected wait clearly exceeds its {@code maxWait}. The default.
   */
  ADAPTIVE
}
