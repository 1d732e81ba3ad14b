package dev.lanes.algorithms;

import dev.lanes.limit.WindowSummary;
import java.util.List;

/**
 * What the tail-latency algorithms share: reading the window against a no-load baseline, probing
 * for that baseline, estimating the queue inside the resource, slow start, drops and idleness.
 * Each algorithm supplies only its steady-state rule.
 *
 * <p><b>The baseline</b> is the tail and the typical latency (a trimmed mean, see
 * {@link #typical}) the resource shows when this lane is not queueing on it. A lane splits each
 * window by priority ({@link WindowSummary#parts()}), and each part keeps a baseline of its own,
 * so that a change in the mix of calls (long scans held back, short reads let through) does not
 * pass for a change in latency. It is measured, never guessed, and only in windows this lane
 * cannot congest:
 * <ul>
 *   <li>if the lane is overloaded at its starting limit within its first five windows, a
 *       <em>probe</em> runs at a quarter of that limit, then a quarter of that, for as long as the
 *       latency falls in proportion, as it does when every call queues: the starting limit may be
 *       far too high, and every window of such a lane is congested;
 *   <li>then, while the lane is busy, a probe runs every {@code probeInterval} windows, and once
 *       as soon as slow start first meets a queue, at three quarters of the concurrency the
 *       resource served without a queue (the mean in flight, by Little's law, less the queue
 *       estimate): below its parallelism, so it sees no queue, yet it costs a quarter of one
 *       window's throughput. It moves the baseline halfway to what it measures, up or down. A
 *       probe whose first window is still draining calls from before, or is biased by them by
 *       more than 1%, waits a window. A probe that measures a typical latency clearly below the
 *       baseline (by 10%, and by three standard errors of the difference) has found a baseline
 *       that held a queue, and a probe level worked out from it may hold one too: it takes the
 *       probe's measurement and looks a quarter lower, until the latency stops falling;
 *   <li>when, during one run of windows whose latency sat more than a quarter above the
 *       baseline, the limit has halved while that latency kept four fifths of its peak in the
 *       run, the windows since the halving (at least 300 samples of them) replace the baseline
 *       outright and slow start resumes: a queue this lane causes drains as the limit falls, so
 *       a latency that stays is the resource's new normal, measured at limits already below its
 *       parallelism. (Measured from the peak, not from where the run began: a run that begins
 *       with a mild queue and then meets a capacity drop would otherwise take a congested level
 *       for the new normal);
 *   <li>a kind of call first seen in a window without a queue takes that window as its baseline;
 *       a window as lightly loaded as a probe (peak in-flight at or below the minimum, and nobody
 *       held back) counts as one.
 * </ul>
 * Ordinary windows never touch the baseline: a running minimum of noisy tails only drifts down,
 * and the limit with it.
 *
 * <p><b>The queue estimate</b>: by Little's law, the calls waiting inside the resource are its
 * completion rate times the time each waits, and the wait is how far each kind of call's typical
 * latency sits above its no-load value.
 */
final class TailControl {

  /** How the steady state moves the limit, once slow start is over. */
  @FunctionalInterface
  interface Rule {
    /**
     * @param tailRatio the window's tail over the no-load tail (for a split window, each part's
     *     against its own, averaged by samples)
     * @param queued the estimated number of calls waiting inside the resource
     */
    int next(WindowSummary window, double tailRatio, double queued, int limit);
  }

  /** A limit this small starts without a probe. */
  private static final int SMALL = 4;
  /** Windows at the start in which overload sets off the first probe. */
  private static final int STARTUP_WINDOWS = 5;
  /** Samples a stale baseline is measured over before it is replaced. */
  private static final int STALE_SAMPLES = 300;
  /** The share of a window's calls dropped at which the drop backoff applies in full. */
  private static final double FULL_BACKOFF_DROPS = 0.01;
  /** Quantile points the typical latency is the mean of. */
  private static final int TYPICAL_POINTS = 10;
  /**
   * A probe whose typical latency falls below the baseline's by at least this fraction, and by
   * {@link #PROBE_FALL_ERRORS} standard errors of a difference, looks lower.
   */
  private static final double PROBE_FALL = 0.1;
  private static final double PROBE_FALL_ERRORS = 3;
  /** The largest share of a probe's typical latency that draining calls may add to it. */
  private static final double MAX_PROBE_BIAS = 0.01;
  /** Samples a part needs in a window before its latency counts. */
  private static final int PART_SAMPLES = 20;
  /** The most parts a window is read in; a lane has three priorities. */
  private static final int MAX_PARTS = 8;

  private final double quantile;
  private final double tolerance;
  private final double dropBackoff;
  private final int probeInterval;

  // The baseline, per part of the window (one part when windows are not split).
  private final long[] baseTail = new long[MAX_PARTS];
  private final long[] baseTypical = new long[MAX_PARTS];

  private boolean slowStart = true;
  private int startupWindowsLeft = STARTUP_WINDOWS;
  private int startLimit;
  private boolean probing;
  /** The first probe steps down by fours while the latency keeps falling in proportion. */
  private boolean descending;
  /** Whether the running probe's measurement replaces the baseline instead of averaging in. */
  private boolean probeReplaces;
  private int resumeLimit;
  private int floor = Integer.MAX_VALUE;
  private int windowsSinceProbe;
  /** The share of in-flight calls that were queued when the running probe began. */
  private double probeQueueShare;
  /** Windows the running probe has seen. */
  private int probeWindows;
  /** Whether to probe at the next busy window, to check a baseline that may hold a queue. */
  private boolean checkBaseline;

  // A run of windows whose latency sat above the baseline; see staleBaseline().
  private int congestedSinceLimit;
  private double congestedSinceRatio;
  private final long[] staleSamples = new long[MAX_PARTS];
  private final double[] staleTailSum = new double[MAX_PARTS];
  private final double[] staleTypicalSum = new double[MAX_PARTS];

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
   * The queue a lane of limit {@code limit} may keep in the resource, {@code sqrt(L) / 3}: enough
   * that noise in the estimate rarely leaves the resource idle, small enough that the limit
   * settles within a quarter of the true parallelism (about P + 1.4 at P = 16 and P + 1 at P = 8).
   * Below P = 9 it is less than one call, where one call is an eighth to all of P: the limit then
   * alternates between P and P + 1, at P + 1 about that share of the time.
   */
  static double allowance(double limit) {
    return Math.sqrt(limit) / 3;
  }

  /** The mean number of calls in flight over the window, by Little's law. */
  static double inUse(WindowSummary window) {
    return window.completionsPerSecond() * window.meanNanos() / 1e9;
  }

  /**
   * The concurrency the window's demand would have used, by Little's law: the rate of the calls
   * served plus the rate of those that found the lane full, times the mean latency. Under
   * overload it is well above the limit; in a window where bursts only brushed the limit now and
   * then it is below it, since the calls held back were few and most were soon served anyway.
   * Infinite where the lane does not count the calls it held back.
   */
  static double demand(WindowSummary window) {
    long blocked = window.blocked();
    double seconds = (window.endNanos() - window.startNanos()) / 1e9;
    if (blocked < 0 || seconds <= 0) {
      return Double.POSITIVE_INFINITY;
    }
    return (window.completionsPerSecond() + blocked / seconds) * window.meanNanos() / 1e9;
  }

  /**
   * A window's typical latency: the mean of its quantile function from the 5th to the 95th
   * percentile, a trimmed mean. It moves with a queue as the mean does (the median barely moves
   * while only some calls wait), but a heavy-tailed service time cannot swing it.
   */
  static long typical(WindowSummary window) {
    long sum = 0;
    for (int i = 0; i < TYPICAL_POINTS; i++) {
      sum += window.percentileNanos((i + 0.5) / TYPICAL_POINTS);
    }
    return sum / TYPICAL_POINTS;
  }

  /**
   * The standard error of {@link #typical}, relative to it: the spread of the same quantile
   * points over the square root of the samples. About 5% for a hundred log-normal disk latencies,
   * three times that for a heavy (Pareto) tail; a difference between two windows is not a fact
   * until it is several of these.
   */
  static double typicalError(WindowSummary window) {
    long typical = typical(window);
    if (typical <= 0 || window.samples() == 0) {
      return 0;
    }
    double squares = 0;
    for (int i = 0; i < TYPICAL_POINTS; i++) {
      double d = window.percentileNanos((i + 0.5) / TYPICAL_POINTS) - typical;
      squares += d * d;
    }
    return Math.sqrt(squares / TYPICAL_POINTS / window.samples()) / typical;
  }

  int update(WindowSummary window, int limit, Rule rule) {
    floor = Math.min(floor, limit);
    if (window.samples() == 0 && window.drops() == 0) {
      return limit;
    }
    List<WindowSummary> parts = partsOf(window);
    if (probing) {
      return probeWindow(window, parts, limit);
    }
    if (startupWindowsLeft > 0) {
      boolean first = startupWindowsLeft == STARTUP_WINDOWS;
      startupWindowsLeft--;
      if (first) {
        measure(parts, true);
        startLimit = limit;
      }
      if (limit == startLimit && limit > SMALL) {
        if (overloaded(window, limit)) {
          // Overload at the limit the lane started from: this window may be all queue. Take it
          // as the reference, and measure downward from it.
          measure(parts, true);
          startupWindowsLeft = 0;
          descending = true;
          return probe(limit, Math.max(1, limit / 4), true, 0);
        }
        if (first) {
          return limit; // the lane was filling up: nothing to learn from it yet
        }
      }
    }
    if (window.maxInFlight() <= floor && !utilized(window, limit)) {
      measure(parts, false); // as light as a probe, and nobody held back: a free probe
      windowsSinceProbe = 0;
    }
    double queued = queued(parts);
    if (queued <= allowance(limit)) {
      learnNewParts(parts); // no queue: a kind of call seen for the first time is at its best
    }
    int next = decide(window, parts, queued, limit, rule);
    if (staleBaseline(parts, limit)) {
      // The limit has halved and the latency has not moved: the windows since ran without a
      // queue of ours, so together they are the new baseline. The limit was steered by a wrong
      // one, so hold it and find the right one fast.
      for (int p = 0; p < MAX_PARTS; p++) {
        if (staleSamples[p] > 0) {
          baseTail[p] = (long) (staleTailSum[p] / staleSamples[p]);
          baseTypical[p] = (long) (staleTypicalSum[p] / staleSamples[p]);
        }
      }
      resetStaleCheck();
      windowsSinceProbe = 0;
      slowStart = true;
      return limit;
    }
    if (utilized(window, limit) && (++windowsSinceProbe >= probeInterval || checkBaseline)) {
      checkBaseline = false;
      return probe(next, probeLimit(window, limit, queued, next), false, queued / limit);
    }
    return next;
  }

  /** The no-load tail of the whole window, or of its first part that has one, in nanoseconds. */
  long baselineNanos() {
    for (long tail : baseTail) {
      if (tail > 0) {
        return tail;
      }
    }
    return 0;
  }

  /** The calls waiting inside the resource, by Little's law, summed over the window's parts. */
  double queued(List<WindowSummary> parts) {
    double queued = 0;
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (counts(part) && baseTypical[p] > 0) {
        double waitSeconds = Math.max(0, typical(part) - baseTypical[p]) / 1e9;
        queued += part.completionsPerSecond() * waitSeconds;
      }
    }
    return queued;
  }

  /**
   * The standard error of {@link #queued}: each part's rate times its typical latency times the
   * relative error of that typical latency, for the window's and, as large again, for the
   * baseline's. A tenth of a call for a window of 64,000 NVMe completions; most of a call for a
   * few hundred disk reads.
   */
  double queueError(WindowSummary window) {
    List<WindowSummary> parts = partsOf(window);
    double variance = 0;
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (counts(part) && baseTypical[p] > 0) {
        double error = part.completionsPerSecond() * typical(part) / 1e9 * typicalError(part);
        variance += 2 * error * error;
      }
    }
    return Math.sqrt(variance);
  }

  private int probeWindow(WindowSummary window, List<WindowSummary> parts, int limit) {
    // Only the probe's first window can hold calls that waited in the queue before it.
    if (stillDraining(window, limit, probeWindows++ == 0 ? probeQueueShare : 0)) {
      return limit;
    }
    if (descending && limit > SMALL && typicalRatio(parts) <= 1.0 / 3) {
      // A quarter of the limit took the latency down by two thirds or more, as it does when
      // every call queues: this level may be congested too. Take it as the baseline for now and
      // look one step lower; resume from here, the lowest level known to be too high. (A smaller
      // fall means this level is below the knee, and its latency is the baseline.)
      measure(parts, true);
      resumeLimit = limit;
      return Math.max(1, limit / 4);
    }
    if (!descending && typicalRatio(parts) < 1 - Math.max(PROBE_FALL,
        PROBE_FALL_ERRORS * Math.sqrt(2) * typicalError(window))) {
      // The probe saw a clearly lower latency than the baseline: the baseline was measured with
      // a queue in it (a start above P, or a level taken for the new normal during a drop), and
      // the probe's level, worked out from it, may hold a queue too. Take this level as the
      // baseline and look a quarter lower, until the latency stops falling. (The fall must be
      // beyond the noise of two windows' typical latencies, the probe's and the baseline's.)
      measure(parts, true);
      if (limit > 1) {
        return Math.max(1, limit * 3 / 4);
      }
      probeReplaces = true;
    }
    descending = false;
    probing = false;
    windowsSinceProbe = 0;
    measure(parts, probeReplaces);
    return resumeLimit;
  }

  private int decide(WindowSummary window, List<WindowSummary> parts, double queued, int limit,
      Rule rule) {
    if (window.drops() > 0) {
      slowStart = false;
      // In proportion to how many: a lone drop among hundreds of calls may be the resource's
      // own tail (a heavy-tailed device outlasts a caller now and then at any load), so it
      // backs off a little; a window with one call in a hundred dropped backs off in full.
      double share = (double) window.drops() / (window.samples() + window.drops());
      double backoff = Math.pow(dropBackoff, Math.min(1, share / FULL_BACKOFF_DROPS));
      return Math.max(1, (int) (limit * backoff));
    }
    boolean utilized = utilized(window, limit);
    double tailRatio = tailRatio(parts);
    if (slowStart) {
      if (queued > allowance(limit) || tailRatio > 2 * tolerance) {
        slowStart = false;
        // The first queue. The baseline it is measured against may hold a queue itself (the
        // lane's first window, which a start above P congests; a startup probe that drained a
        // queue; the new normal after a drop): check it now rather than a hundred windows on.
        checkBaseline = true;
      } else if (!utilized) {
        return limit;
      } else {
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.ceil(slowStartFactor(window) * limit));
      }
    }
    int next = rule.next(window, tailRatio, queued, limit);
    return utilized ? next : Math.min(limit, next);
  }

  /**
   * Whether the limit has halved during one run of windows whose typical latency sat more than a
   * quarter above the baseline, while that latency kept four fifths of its height. A queue this
   * lane causes drains as the limit falls, and the latency falls with it; a latency that stays is
   * the resource's new normal. Enough samples are gathered that one unlucky window cannot decide.
   *
   * <p>The height is measured where the latency rose to, not where the run began: a run that
   * starts with a mild queue and then meets a capacity drop would otherwise see the limit halve
   * while the latency, swollen by the drop, is still above where the run began, and take a
   * congested level for the resource's new normal (the limit then settled at twice P).
   */
  private boolean staleBaseline(List<WindowSummary> parts, int limit) {
    double ratio = typicalRatio(parts);
    if (Double.isNaN(ratio) || ratio <= 1.25) {
      resetStaleCheck();
      return false;
    }
    if (congestedSinceLimit == 0 || ratio * 5 < congestedSinceRatio * 4
        || ratio * 4 > congestedSinceRatio * 5) {
      // A run starts here; or the latency fell with the limit as a queue of ours would; or it
      // rose by more than a quarter, to a height the run is measured from now.
      resetStaleCheck();
      congestedSinceLimit = limit;
      congestedSinceRatio = ratio;
      return false;
    }
    if (limit * 2 > congestedSinceLimit) {
      return false;
    }
    long total = 0;
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (part.samples() > 0) {
        staleSamples[p] += part.samples();
        staleTailSum[p] += (double) tailOf(part) * part.samples();
        staleTypicalSum[p] += (double) typical(part) * part.samples();
      }
      total += staleSamples[p];
    }
    return total >= STALE_SAMPLES;
  }

  private void resetStaleCheck() {
    congestedSinceLimit = 0;
    java.util.Arrays.fill(staleSamples, 0);
    java.util.Arrays.fill(staleTailSum, 0);
    java.util.Arrays.fill(staleTypicalSum, 0);
  }

  /** Takes a no-load measurement of every part with samples: outright, or averaged in. */
  private void measure(List<WindowSummary> parts, boolean replace) {
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (!counts(part) && !(replace && part.samples() > 0 && baseTypical[p] == 0)) {
        continue;
      }
      long tail = tailOf(part);
      long typical = typical(part);
      boolean fresh = replace || baseTypical[p] == 0;
      baseTail[p] = fresh ? tail : (baseTail[p] + tail) / 2;
      baseTypical[p] = fresh ? typical : (baseTypical[p] + typical) / 2;
    }
  }

  private void learnNewParts(List<WindowSummary> parts) {
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (baseTypical[p] == 0 && counts(part)) {
        baseTail[p] = tailOf(part);
        baseTypical[p] = typical(part);
      }
    }
  }

  /**
   * Each part's tail over its no-load tail, averaged with the parts' samples as weights; 1 when
   * no part can be read. Weighing, rather than taking the worst part, keeps a part of a few dozen
   * samples, whose p99 is little more than its largest sample, from steering the lane.
   */
  private double tailRatio(List<WindowSummary> parts) {
    double weighted = 0;
    long samples = 0;
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (counts(part) && baseTail[p] > 0) {
        weighted += (double) tailOf(part) / baseTail[p] * part.samples();
        samples += part.samples();
      }
    }
    return samples == 0 ? 1 : weighted / samples;
  }

  /** Typical latency over no-load typical latency, weighing each part by its samples. */
  private double typicalRatio(List<WindowSummary> parts) {
    double now = 0;
    double base = 0;
    for (int p = 0; p < parts.size(); p++) {
      WindowSummary part = parts.get(p);
      if (counts(part) && baseTypical[p] > 0) {
        now += (double) typical(part) * part.samples();
        base += (double) baseTypical[p] * part.samples();
      }
    }
    return base == 0 ? Double.NaN : now / base;
  }

  /**
   * Three quarters of the concurrency the resource served without a queue: the mean in flight
   * (never more than the limit, which a Pareto outlier in the mean could otherwise pass), less the
   * queue estimate. Below P, so the probe sees no queue of ours.
   */
  private int probeLimit(WindowSummary window, int limit, double queued, int next) {
    double served = Math.min(limit, inUse(window)) - queued;
    return (int) Math.max(1, Math.min(next, 0.75 * served));
  }

  /**
   * Starts a probe at {@code probeLimit}, to resume at {@code resume}; {@code queueShare} is the
   * share of the calls in flight that were queued when it started, as far as it is known.
   */
  private int probe(int resume, int probeLimit, boolean replaces, double queueShare) {
    probeQueueShare = queueShare;
    probeWindows = 0;
    probing = true;
    probeReplaces = replaces;
    resumeLimit = resume;
    return probeLimit;
  }

  /**
   * The standard error of the window's tail, relative to it, from the order statistics around
   * it: {@code sqrt(q (1 - q) / n)} over the density there, read as the distance between the
   * quantiles half a tail away on either side. A p99 of a few hundred log-normal latencies is
   * good to a tenth or so; of a Pareto tail, to half itself.
   */
  double tailError(WindowSummary window) {
    double q = Double.isNaN(quantile) ? window.quantile() : quantile;
    long tail = window.percentileNanos(q);
    if (tail <= 0 || window.samples() == 0) {
      return 0;
    }
    double half = (1 - q) / 2;
    double spread = window.percentileNanos(q + half) - window.percentileNanos(q - half);
    return Math.sqrt(q * (1 - q) / window.samples()) * spread / (2 * half) / tail;
  }

  private long tailOf(WindowSummary window) {
    return Double.isNaN(quantile) ? window.tailNanos() : window.percentileNanos(quantile);
  }

  private static List<WindowSummary> partsOf(WindowSummary window) {
    List<WindowSummary> parts = window.parts();
    return parts.isEmpty() || parts.size() > MAX_PARTS ? List.of(window) : parts;
  }

  private static boolean counts(WindowSummary part) {
    return part.samples() >= PART_SAMPLES;
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
   * Whether the first windows look like overload rather than a passing peak: a quarter of the
   * calls found the lane full (or, where the lane does not count them, it ran full).
   */
  private static boolean overloaded(WindowSummary window, int limit) {
    long blocked = window.blocked();
    return blocked >= 0 ? blocked * 4 >= window.samples() + window.drops()
        : window.maxInFlight() >= limit;
  }

  /** A probe window still spent more than a tenth of its time draining calls from before. */
  private static boolean stillDraining(WindowSummary window, int probeLimit, double queueShare) {
    int excess = window.maxInFlight() - probeLimit;
    if (excess <= 0 || window.completionsPerSecond() <= 0) {
      return false;
    }
    double drainSeconds = excess / window.completionsPerSecond();
    if (drainSeconds > 0.1 * (window.endNanos() - window.startNanos()) / 1e9) {
      return true;
    }
    // The calls in flight when the probe began waited in the queue it meant to drain, about
    // queueShare of a typical latency each. Where they are a large part of a short window (a
    // small P: 6 of 100 calls, each two service times late, lift the mean by a tenth), the
    // window says more about the old queue than about the resource: take the next one.
    double bias = (double) window.maxInFlight() / Math.max(1, window.samples()) * queueShare;
    return bias > MAX_PROBE_BIAS;
  }
}
