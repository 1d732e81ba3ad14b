package dev.lanes.algorithms;

import dev.lanes.limit.WindowSummary;

/**
 * What the tail-latency algorithms share: reading the window's tail, keeping the no-load baseline,
 * probing for it, slow start, drops and idleness. Each algorithm supplies only its steady-state
 * rule.
 *
 * <p><b>The baseline</b> is the p99 the resource shows when this lane is not queueing on it. It is
 * measured, not guessed:
 * <ul>
 *   <li>a <em>probe</em> window runs at a low limit: the lane's minimum right after the first
 *       window, then every {@code probeInterval} windows at half the limit. The probe's tail
 *       replaces the baseline, up or down, so a lasting shift in service time is followed within
 *       one probe interval instead of pinning the limit at its minimum;
 *   <li>a window that ran as lightly loaded as a probe (its peak in-flight at or below the lane's
 *       minimum) counts as a probe, and postpones the next one;
 *   <li>a probe also starts at once when the limit has halved during one run of congested windows
 *       while the tail barely moved (it kept four fifths of its height): queueing that this lane
 *       causes shrinks with the limit, so a tail that does not is the resource's new normal;
 *   <li>between probes the baseline only falls, halfway toward any lower tail.
 * </ul>
 * Probing at the minimum first is what rescues a limit that starts far too high: every window of
 * such a lane is congested, so nothing else would show the no-load latency.
 */
final class TailControl {

  /** How the steady state moves the limit, once slow start is over. */
  @FunctionalInterface
  interface Rule {
    int next(WindowSummary window, long tailNanos, long baselineNanos, int limit);
  }

  private final double quantile;
  private final double tolerance;
  private final double dropBackoff;
  private final int probeInterval;

  private long baselineNanos;
  private boolean slowStart = true;
  private boolean probedOnce;
  private boolean probing;
  private int resumeLimit;
  private int floor = Integer.MAX_VALUE;
  private int windowsSinceProbe;
  /** Where the current run of congested windows started; 0 when there is none. */
  private int congestedSinceLimit;
  private long congestedSinceTail;

  /**
   * @param quantile the quantile to read, or NaN for the one the lane's window is configured with
   * @param tolerance how far above the baseline the tail may be before it counts as congestion
   * @param dropBackoff the factor the limit is multiplied by after a window with drops
   * @param probeInterval windows between two probes
   */
  TailControl(double quantile, double tolerance, double dropBackoff, int probeInterval) {
    this.quantile = quantile;
    this.tolerance = tolerance;
    this.dropBackoff = dropBackoff;
    this.probeInterval = probeInterval;
  }

  int update(WindowSummary window, int limit, Rule rule) {
    floor = Math.min(floor, limit);
    if (window.samples() == 0 && window.drops() == 0) {
      return limit;
    }
    long tail = tailOf(window);
    if (probing) {
      probing = false;
      windowsSinceProbe = 0;
      if (window.samples() > 0) {
        baselineNanos = tail;
      }
      return resumeLimit;
    }
    if (!probedOnce) {
      probedOnce = true;
      baselineNanos = tail;
      return probe(limit, 1);
    }
    learnBaseline(window, tail);
    int next = decide(window, tail, limit, rule);
    if (++windowsSinceProbe >= probeInterval || baselineLooksStale(tail, limit)) {
      return probe(next, Math.max(floor, next / 2));
    }
    return next;
  }

  long baselineNanos() {
    return baselineNanos;
  }

  boolean inSlowStart() {
    return slowStart;
  }

  private void learnBaseline(WindowSummary window, long tail) {
    if (window.samples() == 0) {
      return;
    }
    if (window.maxInFlight() <= floor) {
      baselineNanos = (baselineNanos + tail) / 2;
      windowsSinceProbe = 0;
    } else if (tail < baselineNanos) {
      baselineNanos = (baselineNanos + tail) / 2;
    }
  }

  private boolean baselineLooksStale(long tail, int limit) {
    if (tail <= tolerance * baselineNanos) {
      congestedSinceLimit = 0;
      return false;
    }
    if (congestedSinceLimit == 0) {
      congestedSinceLimit = limit;
      congestedSinceTail = tail;
      return false;
    }
    if (limit * 2 <= congestedSinceLimit && tail * 5 >= congestedSinceTail * 4) {
      congestedSinceLimit = 0;
      return true;
    }
    return false;
  }

  private int decide(WindowSummary window, long tail, int limit, Rule rule) {
    if (window.drops() > 0) {
      slowStart = false;
      return Math.max(1, (int) (limit * dropBackoff));
    }
    // Growth needs evidence that the limit is what holds calls back.
    boolean utilized = window.maxInFlight() * 2 >= limit;
    if (slowStart) {
      if (tail > tolerance * baselineNanos) {
        slowStart = false;
      } else {
        return utilized ? (int) Math.min(Integer.MAX_VALUE / 2, 2L * limit) : limit;
      }
    }
    int next = rule.next(window, tail, baselineNanos, limit);
    return utilized ? next : Math.min(limit, next);
  }

  private int probe(int resume, int probeLimit) {
    probing = true;
    resumeLimit = resume;
    return probeLimit;
  }

  private long tailOf(WindowSummary window) {
    return Double.isNaN(quantile) ? window.tailNanos() : window.percentileNanos(quantile);
  }
}
