package dev.lanes;

import dev.lanes.limit.WindowSummary;
import java.util.List;

/** The {@link WindowSummary} a lane hands its algorithm: a histogram difference plus counters. */
final class HistogramWindow implements WindowSummary {

  private final long startNanos;
  private final long endNanos;
  private final Distribution latency;
  private final int drops;
  private final long calls;
  private final int maxInFlight;
  private final long blocked;
  private final double quantile;
  private final List<WindowSummary> parts;

  HistogramWindow(
      long startNanos,
      long endNanos,
      Distribution latency,
      int drops,
      long calls,
      int maxInFlight,
      long blocked,
      double quantile,
      List<WindowSummary> parts) {
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.latency = latency;
    this.drops = drops;
    this.calls = calls;
    this.maxInFlight = maxInFlight;
    this.blocked = blocked;
    this.quantile = quantile;
    this.parts = parts;
  }

  @Override
  public long startNanos() {
    return startNanos;
  }

  @Override
  public long endNanos() {
    return endNanos;
  }

  @Override
  public int samples() {
    return (int) Math.min(Integer.MAX_VALUE, latency.count());
  }

  @Override
  public int drops() {
    return drops;
  }

  @Override
  public long percentileNanos(double quantile) {
    return latency.percentile(quantile);
  }

  @Override
  public long minNanos() {
    return latency.min();
  }

  @Override
  public long meanNanos() {
    return latency.mean();
  }

  @Override
  public long maxNanos() {
    return latency.max();
  }

  @Override
  public int maxInFlight() {
    return maxInFlight;
  }

  @Override
  public long calls() {
    return calls;
  }

  @Override
  public double completionsPerSecond() {
    long nanos = endNanos - startNanos;
    return nanos <= 0 ? 0 : calls * 1e9 / nanos;
  }

  @Override
  public long blocked() {
    return blocked;
  }

  @Override
  public List<WindowSummary> parts() {
    return parts;
  }

  @Override
  public double quantile() {
    return quantile;
  }

  @Override
  public String toString() {
    return "Window[" + calls + " calls, " + samples() + " timed, " + drops + " drops, p"
        + (quantile * 100) + "="
        + tailNanos() / 1000 + "us, min=" + minNanos() / 1000 + "us, maxInFlight=" + maxInFlight
        + ", " + Math.round(completionsPerSecond()) + "/s]";
  }
}
