package dev.lanes.algorithms;

import dev.lanes.limit.WindowSummary;

/**
 * What the tail-latency algorithms share: reading the window's tail, keeping the no-load baseline,
 * probing for it, estimating the queue inside the resource, slow start, drops and idleness. Each
 * algorithm supplies only its steady-state rule.
 *
 * <p><b>The baseline</b> is the tail (and the mean) the resource shows when this lane is not
 * queueing on it. It is measured, never guessed, and only in windows this lane cannot congest:
 * <ul>
 *   <li>if the lane is overloaded at its starting limit within its first five windows, a
 *       <em>probe</em> runs at a quarter of that limit, then a quarter of that, for as long as the
 *       latency falls in proportion, as it does when every call queues: the starting limit may be
 *       far too high, and every window of such a lane is congested;
 *   <li>then, while the lane is busy, a probe runs every {@code probeInterval} windows at three
 *       quarters of the concurrency the resource really served (its completion rate times the
 *       no-load mean, by Little's law): below its parallelism, so it sees no queue, yet it costs a
 *       quarter of one window's throughput. It moves the baseline halfway to what it measures, up
 *       or down. A probe that starts with many calls still in flight lasts until they have
 *       drained, so it measures the low limit and not the backlog;
 *   <li>when during one run of windows whose mean latency sat more than a quarter above the
 *       baseline the limit has halved while that latency kept four fifths of its height, the
 *       windows since the halving (at least 300
 *       samples of them) replace the baseline outright and slow start resumes: a queue this lane
 *       causes drains as the limit falls, so a latency that stays is the resource's new normal,
 *       measured at limits already below its parallelism;
 *   <li>a window that ran as lightly loaded as a probe (peak in-flight at or below the minimum,
 *       and nobody held back by the limit) counts as one.
 * </ul>
 * Ordinary windows never touch the baseline: a running minimum of noisy tails only drifts down,
 * and the limit with it.
 *
 * <p><b>The queue estimate</b>: by Little's law, the calls waiting inside the resource are its
 * completion rate times the time each waits, and the wait is how far the window's mean latency
 * sits above the no-load mean.
 */
final class TailControl {

  /** How the steady state moves the limit, once slow start is over. */
  @FunctionalInterface
  interface Rule {
    /**
     * @param tailNanos the window's tail
     * @param baselineNanos the no-load tail
     * @param queued the estimated number of calls waiting inside the resource
     */
    int next(WindowSummary window, long tailNanos, long baselineNanos, double queued, int limit);
  }

  /** A limit this small starts without a probe. */
  private static final int SMALL = 4;

  /** Samples a stale baseline is measured over before it is replaced. */
  private static final int STALE_SAMPLES = 300;

  /** Windows at the start in which overload sets off the first probe. */
  private static final int STARTUP_WINDOWS = 5;

  /** Busy windows between a probe that set a fresh baseline and the probe that refines it. */
  private static final int FOLLOW_UP = 5;

  private final double quantile;
  private final double tolerance;
  private final double dropBackoff;
  private final int probeInterval;

  private long baselineNanos;
  private long baselineMeanNanos;
  private boolean slowStart = true;
  private int startupWindowsLeft = STARTUP_WINDOWS;
  private int startLimit;
  private boolean probing;
  /** The first probe steps down by fours while the mean latency keeps falling with the limit. */
  private boolean descending;
  /** Whether the running probe's measurement replaces the baseline instead of averaging in. */
  private boolean probeReplaces;
  private int resumeLimit;
  private int floor = Integer.MAX_VALUE;
  private int windowsSinceProbe;
  /** Where the current run of congested windows started; 0 when there is none. */
  private int congestedSinceLimit;
  private long congestedSinceMean;
  /** The windows of that run since the limit halved: the new baseline, if it proves stale. */
  private long staleSamples;
  private double staleMeanSum;
  private double staleTailSum;

  /**
   * @param quantile the quantile to read, or NaN for the one the lane's window is configured with
   * @param tolerance how far above the baseline the tail may be before it counts as congestion
   * @param dropBackoff the factor the limit is multiplied by after a window with drops
   * @param probeInterval busy windows between two probes
   */
  TailControl(double quantile, double tolerance, double dropBackoff, int probeInterval) {
    this.quantile = quantile;
    this.tolerance = tolerance;
    this.dropBackoff = dropBackoff;
    this.probeInterval = probeInterval;
  }

  /**
   * The queue a lane of limit {@code limit} may keep in the resource, {@code max(1, sqrt(L) / 3)}:
   * enough that noise in the estimate rarely leaves the resource idle, small enough that the
   * limit settles within a quarter of the true parallelism (about P + 1.4 at P = 16 and P + 1 at
   * P = 8).
   */
  static double allowance(double limit) {
    return Math.max(1, Math.sqrt(limit) / 3);
  }

  int update(WindowSummary window, int limit, Rule rule) {
    floor = Math.min(floor, limit);
    if (window.samples() == 0 && window.drops() == 0) {
      return limit;
    }
    long tail = tailOf(window);
    if (probing) {
      if (stillDraining(window, limit)) {
        return limit;
      }
      if (descending && limit > SMALL && window.samples() > 0
          && typical(window) * 3 <= baselineMeanNanos) {
        // A quarter of the limit took the latency down by three quarters or more, as it does
        // when every call queues: this level may be congested too. Take it as the baseline for
        // now and look one step lower; resume from here, the lowest level known to be too high.
        // (A smaller fall means this level is below the knee, and its latency is the baseline.)
        measured(window, tail, true);
        resumeLimit = limit;
        return Math.max(1, limit / 4);
      }
      descending = false;
      probing = false;
      // A baseline from one small window is rough: after a fresh one, probe again soon, at the
      // cheaper level, to average a second measurement in.
      windowsSinceProbe = probeReplaces ? probeInterval - FOLLOW_UP : 0;
      if (window.samples() > 0) {
        measured(window, tail, probeReplaces);
      }
      return resumeLimit;
    }
    if (startupWindowsLeft > 0) {
      boolean first = startupWindowsLeft == STARTUP_WINDOWS;
      startupWindowsLeft--;
      if (first) {
        measured(window, tail, true);
        startLimit = limit;
      }
      if (limit == startLimit && limit > SMALL) {
        if (overloaded(window, limit)) {
          // Overload at the limit the lane started from: the baseline so far may be a queue.
          // Measure it, stepping down.
          startupWindowsLeft = 0;
          descending = true;
          return probe(limit, Math.max(1, limit / 4), true);
        }
        if (first) {
          return limit; // the lane was filling up: nothing to learn from it yet
        }
      }
    }
    if (window.samples() > 0 && window.maxInFlight() <= floor && !utilized(window, limit)) {
      measured(window, tail, false); // as light as a probe, and nobody held back: a free probe
      windowsSinceProbe = 0;
    }
    double queued = queued(window);
    int next = decide(window, tail, queued, limit, rule);
    if (baselineLooksStale(window, tail, limit)) {
      // The limit has halved and the latency has not moved: the windows since ran without a
      // queue of ours, so together they are the new baseline. The limit was steered by a wrong
      // one, so hold it and find the right one fast.
      baselineNanos = (long) (staleTailSum / staleSamples);
      baselineMeanNanos = (long) (staleMeanSum / staleSamples);
      resetStaleCheck();
      windowsSinceProbe = 0;
      slowStart = true;
      return limit;
    }
    if (utilized(window, limit) && ++windowsSinceProbe >= probeInterval) {
      return probe(next, probeLimit(window, next), false);
    }
    return next;
  }

  long baselineNanos() {
    return baselineNanos;
  }

  /** Calls waiting inside the resource during {@code window}, by Little's law. */
  double queued(WindowSummary window) {
    double waitSeconds =
        Math.max(0, typical(window) - baselineMeanNanos) / 1e9;
    return window.completionsPerSecond() * waitSeconds;
  }

  private int decide(WindowSummary window, long tail, double queued, int limit, Rule rule) {
    if (window.drops() > 0) {
      slowStart = false;
      return Math.max(1, (int) (limit * dropBackoff));
    }
    boolean utilized = utilized(window, limit);
    if (slowStart) {
      if (queued > allowance(limit) || tail > 2 * tolerance * baselineNanos) {
        slowStart = false;
      } else if (!utilized) {
        return limit;
      } else {
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.ceil(slowStartFactor(window) * limit));
      }
    }
    int next = rule.next(window, tail, baselineNanos, queued, limit);
    return utilized ? next : Math.min(limit, next);
  }

  /**
   * How much slow start grows the limit: doubling, or, when the lane counts the calls it held
   * back, the ratio of all the calls that wanted a permit to those that got one, up to 16: one
   * window then sizes a limit that starts far too low to the demand it sees.
   */
  private static double slowStartFactor(WindowSummary window) {
    long served = window.samples() + window.drops();
    if (window.blocked() <= 0 || served == 0) {
      return 2;
    }
    return Math.max(2, Math.min(16, (double) (served + window.blocked()) / served));
  }

  /**
   * Growth, and probing, need evidence that the limit is what holds calls back: calls that found
   * the lane full, where the lane counts them; otherwise a peak in-flight of at least half the
   * limit.
   */
  private static boolean utilized(WindowSummary window, int limit) {
    long blocked = window.blocked();
    return blocked >= 0 ? blocked > 0 : window.maxInFlight() * 2L >= limit;
  }

  /**
   * Whether the first window looks like overload rather than a passing peak: a quarter of its
   * calls found the lane full (or, where the lane does not count them, it ran full).
   */
  private static boolean overloaded(WindowSummary window, int limit) {
    long blocked = window.blocked();
    return blocked >= 0 ? blocked * 4 >= window.samples() + window.drops()
        : window.maxInFlight() >= limit;
  }

  /** A probe window still spent more than a tenth of its time draining calls from before. */
  private static boolean stillDraining(WindowSummary window, int probeLimit) {
    int excess = window.maxInFlight() - probeLimit;
    if (excess <= 0 || window.completionsPerSecond() <= 0) {
      return false;
    }
    double drainSeconds = excess / window.completionsPerSecond();
    return drainSeconds > 0.1 * (window.endNanos() - window.startNanos()) / 1e9;
  }

  private void measured(WindowSummary window, long tail, boolean replace) {
    long mean = typical(window);
    baselineNanos = replace ? tail : (baselineNanos + tail) / 2;
    baselineMeanNanos = replace ? mean : (baselineMeanNanos + mean) / 2;
  }

  /**
   * Whether the limit has halved during one run of windows whose mean latency sat more than a
   * quarter above the baseline, while that latency kept four fifths of its height. A queue this
   * lane causes drains as the limit falls, and the latency falls with it; a latency that stays is
   * the resource's new normal.
   */
  private boolean baselineLooksStale(WindowSummary window, long tail, int limit) {
    long mean = typical(window);
    if (window.samples() == 0 || mean * 4 <= baselineMeanNanos * 5) {
      resetStaleCheck(); // latency within a quarter of the baseline: nothing to explain
      return false;
    }
    if (congestedSinceLimit == 0 || mean * 5 < congestedSinceMean * 4) {
      // A run starts here, or the latency fell with the limit as a queue of ours would.
      resetStaleCheck();
      congestedSinceLimit = limit;
      congestedSinceMean = mean;
      return false;
    }
    if (limit * 2 <= congestedSinceLimit) {
      int n = window.samples();
      staleSamples += n;
      staleMeanSum += (double) mean * n;
      staleTailSum += (double) tail * n;
    }
    // Enough samples that one unlucky window cannot set the baseline.
    return staleSamples >= STALE_SAMPLES;
  }

  private void resetStaleCheck() {
    congestedSinceLimit = 0;
    staleSamples = 0;
    staleMeanSum = 0;
    staleTailSum = 0;
  }

  /** Three quarters of the concurrency the resource served: its rate times the no-load mean. */
  private int probeLimit(WindowSummary window, int next) {
    double served = window.completionsPerSecond() * baselineMeanNanos / 1e9;
    return (int) Math.max(floor, Math.min(next, 0.75 * served));
  }

  private int probe(int resume, int probeLimit, boolean replaces) {
    probing = true;
    probeReplaces = replaces;
    resumeLimit = resume;
    return probeLimit;
  }

  /**
   * The window's typical latency: the mean of its quantile function from the 5th to the 95th
   * percentile, a trimmed mean. It moves with a queue as the mean does, but a heavy-tailed service
   * time (a few calls a hundred times the median) cannot swing it, and nor can one stray sample.
   */
  static long typical(WindowSummary window) {
    long sum = 0;
    for (int i = 0; i < 10; i++) {
      sum += window.percentileNanos(0.05 + 0.1 * i);
    }
    return sum / 10;
  }

  private long tailOf(WindowSummary window) {
    return Double.isNaN(quantile) ? window.tailNanos() : window.percentileNanos(quantile);
  }
}
