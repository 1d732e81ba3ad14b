package dev.lanes.limit;

/**
 * The lane's side of an algorithm that moves the limit between windows as well as at their end,
 * for instance one that follows an outside source or a per-sample rule. A lane hands one to its
 * algorithm through {@link LimitAlgorithm#attach} when it is built.
 *
 * <pre>{@code
 * final class Settable implements LimitAlgorithm {
 *   private volatile LimitControl lane;
 *   public void attach(LimitControl lane) { this.lane = lane; }
 *   public int update(WindowSummary window, int limit) { return limit; }
 *   void set(int limit) { lane.propose(limit); }          // takes effect at once
 * }
 * }</pre>
 */
public interface LimitControl {

  /** The name of the lane. */
  String laneName();

  /** The lane's limit now. */
  int limit();

  /**
   * Moves the lane's limit now, from any thread. The lane clamps {@code limit} to its
   * {@code [min, max]}, wakes waiters if it rose, and tells its listeners, as it does after a
   * window.
   */
  void propose(int limit);
}
