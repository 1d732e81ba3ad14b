package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/**
 * The default algorithm: moves the limit by the ratio of the no-load tail latency to the tail the
 * window measured, with a headroom that is the queue the lane may keep in the resource minus the
 * queue it measurably keeps there.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("nvme0")
 *     .algorithm(TailGradientLimit.newBuilder().tolerance(1.3).build())
 *     .build();
 * }</pre>
 *
 * <p>Each window, with {@code L} the limit, {@code tail} the window's p99 (or the configured
 * percentile) and {@code baseline} the no-load p99:
 *
 * <pre>
 * queue     = completions per second × (typical − no-load typical)        (Little's law)
 * allowance = sqrt(L) / 3                       the queue the lane may keep in the resource
 * headroom  = allowance − queue
 * gradient  = clamp(tolerance × (1 + 2·√2·ε) × baseline / tail, 0.5, 1)  ε: the tail's error
 * demand    = (completions + blocked calls) per second × mean latency     (Little's law)
 * rise      = min(L, demand) × gradient + headroom
 * fall      = L × gradient + headroom               with room (headroom ≥ 0)
 *             min(L × gradient, L + headroom)        past the allowance
 * new       = rise                                  when it is above L
 * new       = L − g × (L − fall), g = max(smoothing, 1 − σ / (L − fall))   when fall is below L
 * </pre>
 *
 * <p>The two terms do different jobs. The queue term finds the resource's parallelism P: past it,
 * every extra call only waits, the typical latency (a trimmed mean) rises by the wait, and the
 * headroom turns negative until the limit is back near {@code P + sqrt(P) / 3}: P or P + 1 for P
 * up to 4 (where the allowance is under one call, so the limit spends about that share of its
 * windows at P + 1), 17–18 for P = 16, 66–67 for P = 64. The tail alone cannot find P:
 * service-time spread dominates a p99, so on a disk whose p99 is three times its mean a queue of a
 * quarter of P moves the p99 by under a tenth, inside the noise of one window. The tail term
 * guards the p99 itself: when it rises past {@code tolerance} times its no-load value by more than
 * its own noise, for any reason, the limit falls in proportion, by up to half per window.
 *
 * <p>A rise starts from the concurrency the demand asked for, so bursts that brush a limit above
 * P now and then do not walk it up. A fall far beyond the standard error {@code σ} of the queue
 * estimate is taken nearly whole; within the noise it is smoothed.
 *
 * <p>Startup probing, the moving baseline, slow start, drops and idleness are shared with the
 * other algorithms; {@code docs/algorithms.md} describes them.
 *
 * <table>
 *   <caption>Defaults, and why</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>tolerance</td><td>1.5</td><td>the queue term already holds the limit near P, so the
 *       p99 guard only has to catch a tail that rises for other reasons; tighter, it mistakes the
 *       noise of a 100-sample p99 for congestion and costs throughput</td></tr>
 *   <tr><td>smoothing</td><td>0.5</td><td>halves the effect of one noisy window on the way down,
 *       while a tripled p99 still cuts the limit by a third within two windows</td></tr>
 *   <tr><td>dropBackoff</td><td>0.8</td><td>a window with one call in a hundred dropped is a
 *       definite overload signal; fewer drops back off in proportion</td></tr>
 *   <tr><td>probeInterval</td><td>100 busy windows</td><td>a probe costs a quarter of one
 *       window's throughput, about 0.25% under overload</td></tr>
 *   <tr><td>percentile</td><td>the lane's window percentile (p99)</td><td>the tail the lane is
 *       configured to protect</td></tr>
 * </table>
 */
public final class TailGradientLimit implements LimitAlgorithm {

  /** Standard errors of the window's tail that a rise of the tail must clear to count. */
  private static final double TAIL_ERRORS = 2;

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

  private int gradientStep(WindowSummary window, double tailRatio, double queued, int limit) {
    // The tail counts only past its noise: two standard errors of the ratio of two tails, the
    // window's and the baseline's, each measured over a window of about as many calls.
    double tailNoise = 1 + TAIL_ERRORS * Math.sqrt(2) * control.tailError(window);
    double gradient = Math.max(0.5, Math.min(1.0, tolerance * tailNoise / tailRatio));
    // Headroom: the queue the lane may keep in the resource, minus the queue it has.
    double queueError = control.queueError(window);
    double headroom = TailControl.allowance(estimate) - queued;
    // With room, the headroom adds to the tail's verdict. With a queue past the allowance, the
    // queue and the tail it lifts are two readings of one congestion: the stronger cut counts,
    // not their sum, which took the limit well below P on the first window past slow start.
    double target = headroom >= 0 ? estimate * gradient + headroom
        : Math.min(estimate * gradient, estimate + headroom);
    // A rise starts from the concurrency the demand asked for, when that is below the limit: a
    // lane only brushed against its limit by bursts has no use for more.
    double rise = Math.min(estimate, TailControl.demand(window)) * gradient + headroom;
    if (rise > estimate) {
      estimate = rise;
    } else if (target < estimate) {
      // Smoothing is for falls within the noise of the queue estimate; a fall far beyond it (the
      // first window past slow start, a capacity drop, seen in thousands of completions) is
      // taken nearly whole.
      double fall = estimate - target;
      double gain = Math.max(smoothing, 1 - queueError / fall);
      estimate -= gain * fall;
    }
    return (int) Math.max(1, Math.round(estimate));
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
    private double tolerance = 1.5;
    private double smoothing = 0.5;
    private double dropBackoff = 0.8;
    private int probeInterval = 100;

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
