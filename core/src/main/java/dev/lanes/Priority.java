package dev.lanes;

/**
 * How a call competes for a lane's permits.
 *
 * <pre>{@code
 * try (Permit permit = lane.acquire(Priority.BACKGROUND)) {
 *   scanner.scanNextBlock();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #CRITICAL} never waits for the limit. It is refused only at the lane's critical
 *       ceiling, and it still counts toward in-flight and the latency window, because it uses the
 *       same resource.
 *   <li>{@link #NORMAL} is admitted while total in-flight is below the limit, and otherwise waits.
 *   <li>{@link #BACKGROUND} takes only slack: it is admitted while in-flight is below the limit
 *       minus the background reserve and no {@code NORMAL} call is waiting, and it waits behind
 *       every {@code NORMAL} waiter.
 * </ul>
 */
public enum Priority {
  /** Bypasses the limit; refused only at the critical ceiling. */
  CRITICAL,
  /** Admitted up to the limit. */
  NORMAL,
  /** Admitted only into slack, behind every {@link #NORMAL} waiter. */
  BACKGROUND
}
