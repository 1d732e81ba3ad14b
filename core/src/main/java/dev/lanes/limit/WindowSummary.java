package dev.lanes.limit;

/**
 * What a lane measured over one latency window: the calls released with a sample, their latency
 * distribution, the drops, and how busy the lane was.
 *
 * <pre>{@code
 * int update(WindowSummary window, int limit) {
 *   if (window.drops() > 0) return limit / 2;
 *   return window.tailNanos() < targetNanos ? limit + 1 : limit;
 * }
 * }</pre>
 *
 * <p>Percentiles come from a log-linear histogram with 16 buckets per power of two, so a reported
 * latency is within about 3% of the true one.
 */
public interface WindowSummary {

  /** When the window opened, in the lane's ticker time. */
  long startNanos();

  /** When the window closed, in the lane's ticker time. */
  long endNanos();

  /**
   * Calls released with {@code close()} whose latency was timed, and is in the histogram. A busy
   * lane times only some of its calls (see {@link WindowConfig#timedCalls(int)}); {@link #calls()}
   * counts them all.
   */
  int samples();

  /** Calls released with {@code dropped()}. */
  int drops();

  /** The latency at {@code quantile} (for example 0.99) of the window's samples; 0 if none. */
  long percentileNanos(double quantile);

  /** The smallest sample; 0 if none. */
  long minNanos();

  /** The mean sample; 0 if none. */
  long meanNanos();

  /** The largest sample; 0 if none. */
  long maxNanos();

  /** The most calls that were in flight at once during the window. */
  int maxInFlight();

  /**
   * Calls completed in the window, timed or not: successes and drops. For a source that times
   * every call, {@code samples() + drops()}.
   */
  default long calls() {
    return (long) samples() + drops();
  }

  /** {@link #calls()} per second of window time; 0 for a window of no length. */
  double completionsPerSecond();

  /**
   * Calls that found no permit free during the window: they had to wait, or were refused for the
   * limit or a full queue. Zero means the limit held nobody back. {@code -1} when the source of
   * the window does not know.
   */
  default long blocked() {
    return -1;
  }

  /**
   * The same window split by the kind of call: for a lane, one part per priority, in the order
   * {@code CRITICAL}, {@code NORMAL}, {@code BACKGROUND}, each with that priority's samples, drops
   * and rate (the peak in-flight and the blocked count stay the lane's). Empty when the source
   * does not split its windows.
   *
   * <p>An algorithm that compares latency over time should compare each part with its own past:
   * when a limit falls, a lane lets short {@code NORMAL} reads through and holds long
   * {@code BACKGROUND} scans back, and the mix alone would pass for a change in latency.
   */
  default java.util.List<WindowSummary> parts() {
    return java.util.List.of();
  }

  /** The quantile the lane is configured to watch, 0.99 unless its {@link WindowConfig} says. */
  default double quantile() {
    return 0.99;
  }

  /** The latency at {@link #quantile()}: the tail the lane's algorithm should steer by. */
  default long tailNanos() {
    return percentileNanos(quantile());
  }
}
