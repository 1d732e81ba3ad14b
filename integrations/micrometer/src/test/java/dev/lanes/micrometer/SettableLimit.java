package dev.lanes.micrometer;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowSummary;

/** An algorithm that keeps the limit where a test last set it, through the lane's own control. */
final class SettableLimit implements LimitAlgorithm {

  private volatile LimitControl lane;

  @Override
  public void attach(LimitControl lane) {
    this.lane = lane;
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return currentLimit;
  }

  /** Moves the limit now, as an algorithm between windows would. */
  void set(int limit) {
    lane.propose(limit);
  }
}
