package dev.lanes;

import dev.lanes.limit.WindowSummary;

/**
 * Hears what a lane decides. Every method has an empty default, so a listener implements only what
 * it needs. Listeners run on the thread that caused the event, often inside a permit release, so
 * they must be quick and must not block. A listener that throws is logged and otherwise ignored.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("disk")
 *     .listener(new LaneListener() {
 *       public void onLimitChanged(Lane lane, int oldLimit, int newLimit) {
 *         log.info("{}: limit {} -> {}", lane.name(), oldLimit, newLimit);
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface LaneListener {

  /** The limit moved from {@code oldLimit} to {@code newLimit}. */
  default void onLimitChanged(Lane lane, int oldLimit, int newLimit) {}

  /** A latency window closed; {@code limit} is the limit the lane kept after it. */
  default void onWindowClosed(Lane lane, WindowSummary window, int limit) {}

  /** The lane refused a call. */
  default void onRejected(Lane lane, Priority priority, LaneRejectedException.Reason reason) {}

  /**
   * The limit algorithm threw. The lane kept its limit. It reports the first failure of a run of
   * failures, and again only after the algorithm has once succeeded.
   */
  default void onAlgorithmError(Lane lane, Throwable error) {}

  /** The lane was closed; it refuses new calls, and permits still out can be released. */
  default void onClosed(Lane lane) {}
}
