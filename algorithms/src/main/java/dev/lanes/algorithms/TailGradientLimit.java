package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/**
 * The default algorithm: moves the limit by the ratio of the no-load tail latency to the tail the
 * window measured.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("nvme0")
 *     .algorithm(TailGradientLimit.newBuilder().tolerance(1.3).build())
 *     .build();
 * }</pre>
 *
 * <p>Each window, with {@code tail} the window's p99 (or the configured percentile) and
 * {@code baseline} the no-load p99 (see below):
 *
 * <pre>
 * gradient = clamp(tolerance × baseline / tail, 0.5, 1)
 * target   = limit × gradient + headroom(limit),   headroom(L) = max(1, log10 L)
 * new      = limit + smoothing × (target − limit)            (only when it falls)
 * </pre>
 *
 * <p>While the tail stays within {@code tolerance} of the baseline the gradient is 1 and the limit
 * grows by the headroom. Past that, the limit settles where {@code tolerance × baseline / tail}
 * balances the headroom: for a resource whose latency grows in proportion to the concurrency above
 * its parallelism P, that is about {@code tolerance × P}. The floor of 0.5 on the gradient bounds
 * how fast one noisy window can cut the limit.
 *
 * <p>Around the steady state:
 * <ul>
 *   <li><b>Slow start.</b> Until the first window that shows congestion (tail above
 *       {@code tolerance × baseline}) or a drop, the limit doubles each fully used window.
 *   <li><b>Drops count.</b> A window with drops multiplies the limit by {@code dropBackoff}.
 *   <li><b>No growth while idle.</b> A window whose peak in-flight stayed below half the limit may
 *       lower it but never raises it.
 *   <li><b>A baseline that moves.</b> The baseline is measured by probe windows at a low limit, the
 *       first right away at the lane's minimum and then every {@code probeInterval} windows at half
 *       the limit, and by any window as lightly loaded as a probe. Between probes it only falls.
 * </ul>
 *
 * <table>
 *   <caption>Defaults, and why</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>tolerance</td><td>1.25</td><td>settles near 1.25 × P: full throughput with a tail
 *       about a quarter above the no-load one; lower values start to mistake p99 noise for
 *       congestion</td></tr>
 *   <tr><td>smoothing</td><td>0.5</td><td>halves the effect of one noisy window, while a real
 *       tripling of p99 still cuts the limit by a third within two windows</td></tr>
 *   <tr><td>dropBackoff</td><td>0.8</td><td>a drop is a definite overload signal</td></tr>
 *   <tr><td>probeInterval</td><td>50 windows</td><td>one probe every 5 s with 100 ms windows costs
 *       about 1% of throughput under overload</td></tr>
 *   <tr><td>percentile</td><td>the lane's window percentile (p99)</td><td>the tail the lane is
 *       configured to protect</td></tr>
 * </table>
 */
public final class TailGradientLimit implements LimitAlgorithm {

  private final double tolerance;
  private final double smoothing;
  private final TailControl control;
  private double estimate;

  private TailGradientLimit(Builder builder) {
    this.tolerance = builder.tolerance;
    this.smoothing = builder.smoothing;
    this.control = new TailControl(
        builder.percentile, builder.tolerance, builder.dropBackoff, builder.probeInterval);
  }

  /** The default configuration. */
  public static TailGradientLimit newDefault() {
    return newBuilder().build();
  }

  /** Starts a configuration. */
  public static Builder newBuilder() {
    return new Builder();
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    if (Math.abs(estimate - currentLimit) >= 1) {
      estimate = currentLimit; // the lane clamped it, or a probe or slow start moved it
    }
    int next = control.update(window, currentLimit, this::gradientStep);
    if (next != currentLimit && Math.abs(estimate - next) >= 1) {
      estimate = next;
    }
    return next;
  }

  private int gradientStep(WindowSummary window, long tail, long baseline, int limit) {
    double gradient = Math.max(0.5, Math.min(1.0, tolerance * baseline / Math.max(1, tail)));
    double target = estimate * gradient + headroom(estimate);
    estimate = target >= estimate ? target : estimate + smoothing * (target - estimate);
    return (int) Math.max(1, Math.round(estimate));
  }

  private static double headroom(double limit) {
    return Math.max(1, Math.log10(limit));
  }

  /** The no-load tail latency the algorithm currently steers by, in nanoseconds. */
  public long baselineNanos() {
    return control.baselineNanos();
  }

  @Override
  public String name() {
    return "gradient";
  }

  @Override
  public String toString() {
    return "TailGradientLimit[tolerance=" + tolerance + ", smoothing=" + smoothing
        + ", baseline=" + control.baselineNanos() + "ns]";
  }

  /** Configures a {@link TailGradientLimit}; every setter checks its value. */
  public static final class Builder {
    private double percentile = Double.NaN;
    private double tolerance = 1.25;
    private double smoothing = 0.5;
    private double dropBackoff = 0.8;
    private int probeInterval = 50;

    private Builder() {}

    /** The latency quantile to steer by; by default the lane window's (p99). */
    public Builder percentile(double quantile) {
      this.percentile = Checks.percentile(quantile);
      return this;
    }

    /** How far above the no-load tail the tail may rise before the limit falls; above 1. */
    public Builder tolerance(double tolerance) {
      this.tolerance = Checks.tolerance(tolerance);
      return this;
    }

    /** How much of a fall is applied per window, in (0, 1]. */
    public Builder smoothing(double smoothing) {
      this.smoothing = Checks.fraction("smoothing", smoothing);
      return this;
    }

    /** The factor the limit is multiplied by after a window with drops, in (0, 1). */
    public Builder dropBackoff(double backoff) {
      this.dropBackoff = Checks.backoff("dropBackoff", backoff);
      return this;
    }

    /** Windows between two baseline probes; at least 1. */
    public Builder probeInterval(int windows) {
      this.probeInterval = Checks.atLeastOne("probeInterval", windows);
      return this;
    }

    public TailGradientLimit build() {
      return new TailGradientLimit(this);
    }
  }
}
