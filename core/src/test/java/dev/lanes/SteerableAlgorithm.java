package dev.lanes;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A limit algorithm a test steers: each window, the limit becomes whatever {@link #target} says.
 * With {@link #everyRelease()} a window closes on every sampled release, so a test changes the
 * limit through the lane's real window path.
 */
final class SteerableAlgorithm implements LimitAlgorithm {

  volatile int target;
  final List<WindowSummary> windows = new CopyOnWriteArrayList<>();

  SteerableAlgorithm(int target) {
    this.target = target;
  }

  static WindowConfig everyRelease() {
    return WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO);
  }

  /** A builder for a lane that this algorithm steers, closing a window on every release. */
  static LaneBuilder lane(String name, SteerableAlgorithm algorithm, int min, int initial, int max) {
    return Lane.builder(name)
        .algorithm(algorithm)
        .limits(min, initial, max)
        .window(everyRelease());
  }

  /** Moves the limit now, by closing a window with one CRITICAL sample. */
  void steer(Lane lane, int limit) {
    target = limit;
    lane.tryAcquire(Priority.CRITICAL).orElseThrow().close();
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    if (windows.size() < 1_000) { // a stress test closes hundreds of thousands of windows
      windows.add(window);
    }
    return target;
  }
}
