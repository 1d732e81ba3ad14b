package dev.lanes.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * How a lane cuts its latency measurements into windows. A window closes on the release that finds
 * it has both {@link #minSamples() enough samples} and {@link #minDuration() enough time}, or, with
 * any number of samples, once it has lasted {@link #maxDuration()}. Each closed window goes to the
 * lane's {@link LimitAlgorithm}.
 *
 * <pre>{@code
 * WindowConfig window = WindowConfig.percentile(0.99)
 *     .minSamples(50)
 *     .minDuration(Duration.ofMillis(100))
 *     .maxDuration(Duration.ofSeconds(2));
 * Lane lane = Lane.builder("nvme0").window(window).build();
 * }</pre>
 *
 * <p>Instances are immutable; every setter returns a copy.
 */
public final class WindowConfig {

  /** How many calls a window times, at least, when calls come fast enough to time only some. */
  public static final int DEFAULT_TIMED_CALLS = 1_000;

  /** The defaults: p99, at least 100 samples and 100 ms, at most 2 s. */
  private static final WindowConfig DEFAULTS = new WindowConfig(
      0.99, 100, Duration.ofMillis(100), Duration.ofSeconds(2), DEFAULT_TIMED_CALLS, true);

  private static final WindowConfig DISABLED =
      new WindowConfig(0.99, 1, Duration.ZERO, Duration.ofSeconds(2), DEFAULT_TIMED_CALLS, false);

  private final double quantile;
  private final int minSamples;
  private final Duration minDuration;
  private final Duration maxDuration;
  private final int timedCalls;
  private final boolean enabled;

  private WindowConfig(double quantile, int minSamples, Duration minDuration,
      Duration maxDuration, int timedCalls, boolean enabled) {
    this.quantile = quantile;
    this.minSamples = minSamples;
    this.minDuration = minDuration;
    this.maxDuration = maxDuration;
    this.timedCalls = timedCalls;
    this.enabled = enabled;
  }

  /** The default window: p99, at least 100 samples and 100 ms, at most 2 s. */
  public static WindowConfig defaults() {
    return DEFAULTS;
  }

  /**
   * A window that watches {@code quantile} (for example 0.99), with the other defaults.
   *
   * @throws IllegalArgumentException unless {@code 0 < quantile < 1}
   */
  public static WindowConfig percentile(double quantile) {
    return DEFAULTS.withQuantile(quantile);
  }

  /**
   * No window at all: the lane reads no clock, records no latency and never runs its algorithm, so
   * its limit stays where it started. For a priority-aware semaphore at the lowest cost.
   */
  public static WindowConfig disabled() {
    return DISABLED;
  }

  /**
   * Returns a copy that closes a window only after {@code minSamples} samples (or at
   * {@link #maxDuration()}). Drops count as samples here, though they carry no latency: a lane
   * whose calls all fail with overload must still close windows quickly, so that its algorithm
   * backs off.
   *
   * @throws IllegalArgumentException if {@code minSamples < 1}
   */
  public WindowConfig minSamples(int minSamples) {
    if (minSamples < 1) {
      throw new IllegalArgumentException("window minSamples must be at least 1, was " + minSamples);
    }
    return new WindowConfig(quantile, minSamples, minDuration, maxDuration, timedCalls, true);
  }

  /**
   * Returns a copy that keeps a window open for at least {@code minDuration}.
   *
   * @throws IllegalArgumentException if it is negative or longer than {@link #maxDuration()}
   */
  public WindowConfig minDuration(Duration minDuration) {
    Objects.requireNonNull(minDuration, "window minDuration");
    if (minDuration.isNegative() || minDuration.compareTo(maxDuration) > 0) {
      throw new IllegalArgumentException(
          "window minDuration must be between 0 and maxDuration (" + maxDuration + "), was "
              + minDuration);
    }
    return new WindowConfig(quantile, minSamples, minDuration, maxDuration, timedCalls, true);
  }

  /**
   * Returns a copy that closes a window after {@code maxDuration} whatever its sample count.
   *
   * @throws IllegalArgumentException if it is not positive or shorter than {@link #minDuration()}
   */
  public WindowConfig maxDuration(Duration maxDuration) {
    Objects.requireNonNull(maxDuration, "window maxDuration");
    if (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(minDuration) < 0) {
      throw new IllegalArgumentException(
          "window maxDuration must be positive and at least minDuration (" + minDuration
              + "), was " + maxDuration);
    }
    return new WindowConfig(quantile, minSamples, minDuration, maxDuration, timedCalls, true);
  }

  /**
   * Returns a copy that watches {@code quantile} instead.
   *
   * @throws IllegalArgumentException unless {@code 0 < quantile < 1}
   */
  public WindowConfig withQuantile(double quantile) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException(
          "window percentile must be between 0 and 1 exclusive, was " + quantile);
    }
    return new WindowConfig(quantile, minSamples, minDuration, maxDuration, timedCalls, true);
  }

  /**
   * Returns a copy that times at least {@code calls} calls per window (and never fewer than
   * {@link #minSamples()}). A lane reads the clock twice per timed call; while calls are rare it
   * times every one, but when a window of {@link #minDuration()} would hold many more calls than
   * this, it times one call in {@code k} (a power of two) and counts the rest without timing
   * them. The default, {@value #DEFAULT_TIMED_CALLS}, puts a p99 within a few percent of the
   * exact one; {@code Integer.MAX_VALUE} times every call.
   *
   * @throws IllegalArgumentException if {@code calls < 1}
   */
  public WindowConfig timedCalls(int calls) {
    if (calls < 1) {
      throw new IllegalArgumentException("window timedCalls must be at least 1, was " + calls);
    }
    return new WindowConfig(quantile, minSamples, minDuration, maxDuration, calls, true);
  }

  /** How many calls a window times at least, when it times only some; see {@link #timedCalls(int)}. */
  public int timedCalls() {
    return timedCalls;
  }

  /** The quantile the lane watches, such as 0.99. */
  public double quantile() {
    return quantile;
  }

  /** The fewest samples a window closes with, unless it reaches {@link #maxDuration()}. */
  public int minSamples() {
    return minSamples;
  }

  /** The shortest a window lasts. */
  public Duration minDuration() {
    return minDuration;
  }

  /** The longest a window lasts. */
  public Duration maxDuration() {
    return maxDuration;
  }

  /** Whether the lane measures latency at all; see {@link #disabled()}. */
  public boolean enabled() {
    return enabled;
  }

  @Override
  public String toString() {
    if (!enabled) {
      return "WindowConfig[disabled]";
    }
    return "WindowConfig[p" + (quantile * 100) + ", minSamples=" + minSamples
        + ", minDuration=" + minDuration + ", maxDuration=" + maxDuration
        + ", timedCalls=" + timedCalls + "]";
  }
}
