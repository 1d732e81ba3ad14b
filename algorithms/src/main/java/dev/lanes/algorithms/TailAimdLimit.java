package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/**
 * Additive increase, multiplicative decrease, on the tail latency: the simplest algorithm, and
 * the most predictable.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("downstream")
 *     .algorithm(TailAimdLimit.newBuilder().step(2).backoff(0.8).build())
 *     .build();
 * }</pre>
 *
 * <p>Each window, with {@code tail} the window's p99 and {@code baseline} the no-load p99:
 *
 * <pre>
 * tail ≤ tolerance × baseline and no drops:  new = limit + step
 * otherwise:                                  new = limit × backoff
 * </pre>
 *
 * <p>The limit saw-tooths between about {@code backoff × tolerance × P} and
 * {@code tolerance × P} on a resource of parallelism P. Slow start, the drop rule, the idle rule
 * and the moving baseline are those of {@link TailGradientLimit}.
 *
 * <table>
 *   <caption>Defaults, and why</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>tolerance</td><td>1.5</td><td>AIMD reacts to a single threshold, so it needs more room
 *       above p99 noise than the gradient does</td></tr>
 *   <tr><td>step</td><td>1</td><td>one permit per window; raise it for large limits (Netflix
 *       #147 asks for exactly this knob)</td></tr>
 *   <tr><td>backoff</td><td>0.9</td><td>small cuts keep the saw-tooth shallow; slow start and
 *       drops handle the large moves</td></tr>
 *   <tr><td>probeInterval</td><td>50 windows</td><td>as for the gradient</td></tr>
 * </table>
 */
public final class TailAimdLimit implements LimitAlgorithm {

  private final double tolerance;
  private final int step;
  private final double backoff;
  private final TailControl control;

  private TailAimdLimit(Builder builder) {
    this.tolerance = builder.tolerance;
    this.step = builder.step;
    this.backoff = builder.backoff;
    this.control = new TailControl(
        builder.percentile, builder.tolerance, builder.backoff, builder.probeInterval);
  }

  /** The default configuration. */
  public static TailAimdLimit newDefault() {
    return newBuilder().build();
  }

  /** Starts a configuration. */
  public static Builder newBuilder() {
    return new Builder();
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return control.update(window, currentLimit, this::aimdStep);
  }

  private int aimdStep(WindowSummary window, double tailRatio, double queued, int limit) {
    if (tailRatio > tolerance) {
      return Math.max(1, (int) (limit * backoff));
    }
    return limit + step;
  }

  /** The no-load tail latency the algorithm currently steers by, in nanoseconds. */
  public long baselineNanos() {
    return control.baselineNanos();
  }

  @Override
  public String name() {
    return "aimd";
  }

  @Override
  public String toString() {
    return "TailAimdLimit[tolerance=" + tolerance + ", step=" + step + ", backoff=" + backoff + "]";
  }

  /** Configures a {@link TailAimdLimit}; every setter checks its value. */
  public static final class Builder {
    private double percentile = Double.NaN;
    private double tolerance = 1.5;
    private int step = 1;
    private double backoff = 0.9;
    private int probeInterval = 100;

    private Builder() {}

    /** The latency quantile to steer by; by default the lane window's (p99). */
    public Builder percentile(double quantile) {
      this.percentile = Checks.percentile(quantile);
      return this;
    }

    /** How far above the no-load tail the tail may rise before the limit is cut; above 1. */
    public Builder tolerance(double tolerance) {
      this.tolerance = Checks.tolerance(tolerance);
      return this;
    }

    /** Permits added per good window; at least 1. */
    public Builder step(int step) {
      this.step = Checks.atLeastOne("step", step);
      return this;
    }

    /** The factor the limit is multiplied by on congestion or drops, in (0, 1). */
    public Builder backoff(double backoff) {
      this.backoff = Checks.backoff("backoff", backoff);
      return this;
    }

    /** Windows between two baseline probes; at least 1. */
    public Builder probeInterval(int windows) {
      this.probeInterval = Checks.atLeastOne("probeInterval", windows);
      return this;
    }

    public TailAimdLimit build() {
      return new TailAimdLimit(this);
    }
  }
}
