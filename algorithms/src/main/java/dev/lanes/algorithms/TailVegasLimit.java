package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/**
 * TCP Vegas on the tail latency: estimates how many calls are queueing inside the resource and
 * keeps that number in a small band.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("hdd0")
 *     .algorithm(TailVegasLimit.newBuilder().alpha(1).beta(3).build())
 *     .build();
 * }</pre>
 *
 * <p>Each window, with {@code tail} the window's p99 and {@code baseline} the no-load p99:
 *
 * <pre>
 * queue = limit × (1 − baseline / tail)
 * a = alpha × max(1, log10 limit),   b = beta × max(1, log10 limit)
 * queue &lt; a:  new = limit + max(1, (a − queue) / 2)
 * queue &gt; b:  new = limit − max(1, (queue − b) / 2)
 * otherwise:  unchanged
 * </pre>
 *
 * <p>If latency grows in proportion to the concurrency above the parallelism P, the queue at limit
 * L is {@code L − P}, so the limit settles between {@code P + a} and {@code P + b}. Moving halfway
 * to the band each window, rather than by one, brings a limit that is far too high down in a few
 * windows instead of hundreds. Slow start, the drop rule (× {@code dropBackoff}), the idle rule and
 * the moving baseline are those of {@link TailGradientLimit}.
 *
 * <table>
 *   <caption>Defaults, and why</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>alpha</td><td>2</td><td>keeps a queue of about two calls per decade of limit, enough to
 *       never leave the resource idle between completions</td></tr>
 *   <tr><td>beta</td><td>4</td><td>an HDD at P = 2 settles at 4 to 6, not at 8 or more</td></tr>
 *   <tr><td>dropBackoff</td><td>0.8</td><td>a drop is a definite overload signal</td></tr>
 *   <tr><td>probeInterval</td><td>50 windows</td><td>as for the gradient</td></tr>
 * </table>
 */
public final class TailVegasLimit implements LimitAlgorithm {

  private final double alpha;
  private final double beta;
  private final TailControl control;

  private TailVegasLimit(Builder builder) {
    if (builder.beta < builder.alpha) {
      throw new IllegalArgumentException(
          "beta must be at least alpha (" + builder.alpha + "), was " + builder.beta);
    }
    this.alpha = builder.alpha;
    this.beta = builder.beta;
    // Vegas calls it congestion once the queue passes beta; slow start ends there too.
    this.control = new TailControl(builder.percentile, 1.25, builder.dropBackoff,
        builder.probeInterval);
  }

  /** The default configuration. */
  public static TailVegasLimit newDefault() {
    return newBuilder().build();
  }

  /** Starts a configuration. */
  public static Builder newBuilder() {
    return new Builder();
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return control.update(window, currentLimit, this::vegasStep);
  }

  private int vegasStep(WindowSummary window, double tailRatio, double queued, int limit) {
    double queue = limit * (1 - 1 / tailRatio);
    double scale = Math.max(1, Math.log10(limit));
    double low = alpha * scale;
    double high = beta * scale;
    if (queue < low) {
      return limit + (int) Math.max(1, (low - queue) / 2);
    }
    if (queue > high) {
      return Math.max(1, limit - (int) Math.max(1, (queue - high) / 2));
    }
    return limit;
  }

  /** The no-load tail latency the algorithm currently steers by, in nanoseconds. */
  public long baselineNanos() {
    return control.baselineNanos();
  }

  @Override
  public String name() {
    return "vegas";
  }

  @Override
  public String toString() {
    return "TailVegasLimit[alpha=" + alpha + ", beta=" + beta + "]";
  }

  /** Configures a {@link TailVegasLimit}; every setter checks its value. */
  public static final class Builder {
    private double percentile = Double.NaN;
    private double alpha = 2;
    private double beta = 4;
    private double dropBackoff = 0.8;
    private int probeInterval = 100;

    private Builder() {}

    /** The latency quantile to steer by; by default the lane window's (p99). */
    public Builder percentile(double quantile) {
      this.percentile = Checks.percentile(quantile);
      return this;
    }

    /** The queue, per decade of limit, below which the limit grows; positive. */
    public Builder alpha(double alpha) {
      this.alpha = Checks.positive("alpha", alpha);
      return this;
    }

    /** The queue, per decade of limit, above which the limit falls; at least alpha. */
    public Builder beta(double beta) {
      this.beta = Checks.positive("beta", beta);
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

    public TailVegasLimit build() {
      return new TailVegasLimit(this);
    }
  }
}
