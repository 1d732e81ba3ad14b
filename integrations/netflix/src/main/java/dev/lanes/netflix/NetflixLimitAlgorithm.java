package dev.lanes.netflix;

import com.netflix.concurrency.limits.Limit;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowSummary;
import java.util.OptionalInt;

/**
 * A Netflix {@link Limit} as a lane's algorithm. Every sample goes to the limit; every change the
 * limit announces reaches the lane at once, as it reaches Netflix's own limiters; and each closed
 * window reads the limit again, for limits that change without telling.
 */
final class NetflixLimitAlgorithm implements LimitAlgorithm {

  private final Limit limit;

  NetflixLimitAlgorithm(Limit limit) {
    this.limit = limit;
  }

  @Override
  public void attach(LimitControl lane) {
    limit.notifyOnChange(lane::propose);
  }

  @Override
  public OptionalInt initialLimit() {
    return OptionalInt.of(limit.getLimit());
  }

  @Override
  public void onSample(long startNanos, long rttNanos, int inFlight, boolean dropped) {
    limit.onSample(startNanos, rttNanos, inFlight, dropped);
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return limit.getLimit();
  }

  @Override
  public String name() {
    return "netflix-" + limit.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return "NetflixLimits.asAlgorithm(" + limit + ")";
  }
}
