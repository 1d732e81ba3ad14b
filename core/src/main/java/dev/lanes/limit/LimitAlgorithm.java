package dev.lanes.limit;

import java.util.OptionalInt;

/**
 * Decides a lane's limit from the latency it measured. The lane calls {@link #update} once per
 * closed window, never from two threads at once, and clamps the result to its {@code [min, max]}.
 *
 * <pre>{@code
 * // Halve the limit when p99 passes 20 ms, otherwise grow by one.
 * LimitAlgorithm algorithm = (window, limit) ->
 *     window.percentileNanos(0.99) > 20_000_000 ? limit / 2 : limit + 1;
 * Lane lane = Lane.builder("downstream").algorithm(algorithm).build();
 * }</pre>
 *
 * <p>An algorithm instance belongs to one lane: it may keep state between windows. An algorithm
 * that throws leaves the limit where it was.
 */
@FunctionalInterface
public interface LimitAlgorithm {

  /**
   * Returns the new limit after a window closed.
   *
   * @param window what the lane measured in the window
   * @param currentLimit the limit during the window
   */
  int update(WindowSummary window, int currentLimit);

  /**
   * Sees every released permit that carried a sample, on the releasing thread and possibly from
   * many threads at once. Only algorithms that work per sample need it; it must be cheap.
   *
   * @param startNanos when the permit was granted, in the lane's ticker time
   * @param rttNanos how long the call held the permit
   * @param inFlight the lane's in-flight count just before this release, this call included
   * @param dropped whether the call was released with {@code Permit.dropped()}
   */
  default void onSample(long startNanos, long rttNanos, int inFlight, boolean dropped) {}

  /**
   * Called once by the lane that adopts this algorithm, before its first call. An algorithm that
   * moves the limit on its own, not only when a window closes, keeps {@code lane} and calls
   * {@link LimitControl#propose} whenever it likes.
   */
  default void attach(LimitControl lane) {}

  /**
   * The limit this algorithm would start from, if it has an opinion. A lane whose builder was not
   * given explicit {@code limits(...)} starts there (clamped to its bounds) instead of at the
   * builder's default.
   */
  default OptionalInt initialLimit() {
    return OptionalInt.empty();
  }

  /** A short name for logs, metrics and the scoreboard. */
  default String name() {
    return getClass().getSimpleName();
  }
}
