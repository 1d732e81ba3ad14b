package dev.lanes.algorithms;

import dev.lanes.limit.WindowSummary;

/** A window with exactly the numbers a test gives it: every percentile is {@code tailNanos}. */
record Window(int samples, int drops, long tailNanos, int maxInFlight) implements WindowSummary {

  static Window busy(long tailNanos, int limit) {
    return new Window(1_000, 0, tailNanos, limit);
  }

  @Override
  public long startNanos() {
    return 0;
  }

  @Override
  public long endNanos() {
    return 100_000_000L;
  }

  @Override
  public long percentileNanos(double quantile) {
    return tailNanos;
  }

  @Override
  public long minNanos() {
    return tailNanos;
  }

  @Override
  public long meanNanos() {
    return tailNanos;
  }

  @Override
  public long maxNanos() {
    return tailNanos;
  }

  @Override
  public double completionsPerSecond() {
    return (samples + drops) * 10.0;
  }
}
