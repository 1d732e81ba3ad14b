package dev.lanes;

/**
 * The order in which waiters of one priority receive freed permits.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("api").queueOrder(QueueOrder.LIFO).build();
 * }</pre>
 *
 * <p>{@link #FIFO} is fair. {@link #LIFO} serves the newest waiter first, which under sustained
 * overload keeps the latency of the calls that do get through low, while the oldest waiters time
 * out: their callers have usually given up already.
 */
public enum QueueOrder {
  /** The oldest waiter goes first. */
  FIFO,
  /** The newest waiter goes first. */
  LIFO
}
