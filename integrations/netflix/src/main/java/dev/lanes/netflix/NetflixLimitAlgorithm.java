package dev.lanes.netflix;

import com.netflix.concurrency.limits.Limit;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/** A Netflix {@link Limit} as a lane's algorithm: per-sample in, one reading per window out. */
final class NetflixLimitAlgorithm implements LimitAlgorithm {

  private final Limit limit;

  NetflixLimitAlgorithm(Limit limit) {
    this.limit = limit;
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
