package dev.lanes;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures the latency of a lane's calls and feeds its algorithm. Samples go into cumulative
 * histograms, one per priority; a window is the difference between the histograms at its two ends.
 * The releasing thread that finds the window due closes it and runs the algorithm; a
 * {@code tryLock}-style flag makes sure only one does, and nobody waits for it.
 *
 * <p><b>Timing only some calls.</b> A window needs a few hundred timed calls, and a busy lane
 * completes hundreds of thousands a second; two clock reads are most of the cost of a permit. So
 * when a window closes, it picks {@code k}, a power of two, such that a window of the minimum
 * duration at the rate just seen still times {@link WindowConfig#timedCalls()} calls, and the lane
 * times one call in {@code k} ({@link #timingShift()}). Every call still counts: in-flight, the
 * peak, completions, drops and calls held back are all exact; only the histogram is sampled. A
 * window is checked for closing on timed releases (the only ones that know the time), which come
 * at least {@code timedCalls} times per window. Algorithms that watch every sample
 * ({@link LimitAlgorithm#onSample} overridden) get every call timed.
 */
final class LatencyWindow {

  private static final VarHandle MAX_IN_FLIGHT;

  static {
    try {
      MAX_IN_FLIGHT =
          MethodHandles.lookup().findVarHandle(LatencyWindow.class, "maxInFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final Priority[] PRIORITIES = Priority.values();
  /** The largest {@code k}: one call in a million timed still keeps the clock honest. */
  private static final int MAX_TIMING_SHIFT = 20;

  private final Lane lane;
  private final LimitAlgorithm algorithm;
  /** Whether the algorithm overrides onSample; most do not, and then the call is skipped. */
  private final boolean perSample;
  private final double quantile;
  private final int minSamples;
  private final long minNanos;
  private final long maxNanos;
  private final int timedCalls;

  private final LatencyHistogram histogram = new LatencyHistogram();
  private final AtomicLongArray drops = new AtomicLongArray(PRIORITIES.length);
  /** Timed successes and every drop: what {@code minSamples} counts. */
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong blocked = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean failureReported = new AtomicBoolean();

  private volatile long startNanos;
  private volatile long recordedAtStart;
  private volatile int maxInFlight;
  private volatile int timingShift;
  private volatile WindowSummary last;

  // Guarded by `closing`.
  private final long[][] countsAtStart = new long[PRIORITIES.length][LatencyHistogram.BUCKETS];
  private final long[][] copies = new long[PRIORITIES.length][LatencyHistogram.BUCKETS];
  private final long[] dropsAtStart = new long[PRIORITIES.length];
  private final long[] successesAtStart = new long[PRIORITIES.length];
  private long blockedAtStart;

  LatencyWindow(Lane lane, LimitAlgorithm algorithm, WindowConfig config, long nowNanos) {
    this.lane = lane;
    this.algorithm = algorithm;
    this.perSample = overridesOnSample(algorithm);
    this.quantile = config.quantile();
    this.minSamples = config.minSamples();
    this.minNanos = config.minDuration().toNanos();
    this.maxNanos = config.maxDuration().toNanos();
    this.timedCalls = Math.max(config.minSamples(), config.timedCalls());
    this.startNanos = nowNanos;
  }

  /** {@code log2(k)}: the lane times one call in {@code k = 2^shift}; 0 times every call. */
  int timingShift() {
    return timingShift;
  }

  /**
   * Sees one release.
   *
   * @param timed whether the call was timed: then {@code grantedNanos} and {@code nowNanos} are
   *     clock readings; otherwise they mean nothing
   * @param inFlight the in-flight count just before the release
   */
  void released(Priority priority, long grantedNanos, long nowNanos, boolean timed,
      int inFlight, int outcome) {
    // In-flight only falls through releases, so the release that ends a peak sees it. Every
    // release looks, timed, ignored or not: a peak is not something to sample.
    if (inFlight > maxInFlight) {
      raiseMaxInFlight(inFlight);
    }
    if (outcome == LanePermit.IGNORED) {
      if (timed) {
        // No sample, but a clock reading: the window may be due. (If only ignored calls were
        // timed, say a caller's every other call, no window would ever close otherwise.)
        closeIfDue(nowNanos, recorded.get());
      }
      return;
    }
    boolean dropped = outcome == LanePermit.DROPPED;
    if (dropped) {
      drops.incrementAndGet(priority.ordinal());
    }
    if (!timed) {
      if (dropped) {
        recorded.incrementAndGet();
      }
      return;
    }
    long rtt = nowNanos - grantedNanos;
    if (!dropped) {
      histogram.record(priority, rtt);
    }
    long count = recorded.incrementAndGet();
    if (perSample) {
      try {
        algorithm.onSample(grantedNanos, rtt, inFlight, dropped);
      } catch (Throwable t) {
        reportFailure(t);
      }
    }
    closeIfDue(nowNanos, count);
  }

  private void closeIfDue(long nowNanos, long count) {
    long elapsed = nowNanos - startNanos;
    if (elapsed >= minNanos && (count - recordedAtStart >= minSamples || elapsed >= maxNanos)) {
      close(nowNanos);
    }
  }

  /** The last window the algorithm saw, or null before the first one closes. */
  WindowSummary lastWindow() {
    return last;
  }

  /** The cumulative latency distribution of one priority since the lane was built. */
  Distribution distribution(Priority priority) {
    long[] counts = new long[LatencyHistogram.BUCKETS];
    histogram.copyInto(priority, counts);
    return new Distribution(counts);
  }

  /** A call found no permit free; off the hot path, since it is about to wait or be refused. */
  void blocked() {
    blocked.incrementAndGet();
  }

  private void close(long nowNanos) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      long start = startNanos;
      long elapsed = nowNanos - start;
      long count = recorded.get();
      // Another thread may have closed this window a moment ago.
      if (elapsed < minNanos || (count - recordedAtStart < minSamples && elapsed < maxNanos)) {
        return;
      }
      // The count moves just before the histogram does, so the histogram may not hold every
      // sample counted yet: read it, and close only on what it holds.
      long held = 0;
      for (Priority p : PRIORITIES) {
        histogram.copyInto(p, copies[p.ordinal()]);
        long[] before = countsAtStart[p.ordinal()];
        for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
          held += copies[p.ordinal()][i] - before[i];
        }
        held += drops.get(p.ordinal()) - dropsAtStart[p.ordinal()];
      }
      if (held < minSamples && elapsed < maxNanos) {
        return;
      }
      // Swapped, not read and then reset: a peak reached in between belongs to the next window.
      int peak = (int) MAX_IN_FLIGHT.getAndSet(this, lane.inFlight());
      long blockedCalls = takeBlocked();
      List<WindowSummary> parts = new ArrayList<>(PRIORITIES.length);
      long[] all = new long[LatencyHistogram.BUCKETS];
      int allDrops = 0;
      long allCalls = 0;
      for (Priority p : PRIORITIES) {
        long[] counts = takeLatency(p);
        int partDrops = takeDrops(p);
        Distribution latency = new Distribution(counts);
        // The count of successes may lag by a call half-way through; the histogram never does.
        long calls = Math.max(takeSuccesses(p), latency.count()) + partDrops;
        for (int i = 0; i < all.length; i++) {
          all[i] += counts[i];
        }
        allDrops += partDrops;
        allCalls += calls;
        parts.add(new HistogramWindow(start, nowNanos, latency, partDrops, calls, peak,
            blockedCalls, quantile, List.of()));
      }
      WindowSummary window = new HistogramWindow(start, nowNanos, new Distribution(all),
          allDrops, allCalls, peak, blockedCalls, quantile, List.copyOf(parts));
      startNanos = nowNanos;
      recordedAtStart = count;
      timingShift = perSample ? 0 : shiftFor(window);
      last = window;
      int current = lane.limit();
      int proposed;
      boolean accepted;
      try {
        proposed = algorithm.update(window, current);
        accepted = true;
        failureReported.set(false);
      } catch (Throwable t) {
        // Keep whatever the limit is by now: it may have moved while the algorithm ran.
        reportFailure(t);
        proposed = current;
        accepted = false;
      }
      lane.windowClosed(window, proposed, accepted);
    } finally {
      closing.set(false);
    }
  }

  /**
   * {@code log2(k)} for the next window: the largest power of two {@code k} such that a window of
   * the minimum duration, at the rate this one saw, still times {@code timedCalls} calls, and a
   * hundred-fold fall in the rate still brings a timed call, and so a check of the window, within
   * its maximum duration.
   *
   * <p>A window is checked only on timed calls, so when calls suddenly become rarer by a factor
   * {@code F}, it closes up to {@code F × k / rate} late: {@code F × 0.1 ms} with the defaults
   * (100 ms, 1,000 timed calls). The window that then closes saw the new rate, and the next one
   * times calls at it.
   */
  private int shiftFor(WindowSummary window) {
    double rate = window.completionsPerSecond();
    double k = Math.min(rate * minNanos / 1e9 / timedCalls, rate * maxNanos / 1e9 / 100);
    if (!(k >= 2)) {
      return 0;
    }
    return Math.min(MAX_TIMING_SHIFT, 63 - Long.numberOfLeadingZeros((long) k));
  }

  private void reportFailure(Throwable t) {
    if (failureReported.compareAndSet(false, true)) {
      lane.algorithmFailed(t);
    }
  }

  /** The window's counts of one priority: the copy {@link #close} took minus those at its start. */
  private long[] takeLatency(Priority priority) {
    long[] window = new long[LatencyHistogram.BUCKETS];
    long[] copy = copies[priority.ordinal()];
    long[] before = countsAtStart[priority.ordinal()];
    for (int i = 0; i < window.length; i++) {
      window[i] = copy[i] - before[i];
      before[i] = copy[i];
    }
    return window;
  }

  private int takeDrops(Priority priority) {
    long now = drops.get(priority.ordinal());
    int windowDrops = (int) (now - dropsAtStart[priority.ordinal()]);
    dropsAtStart[priority.ordinal()] = now;
    return windowDrops;
  }

  /** Successes of one priority in the window, timed or not. */
  private long takeSuccesses(Priority priority) {
    long now = lane.successes(priority);
    long windowSuccesses = now - successesAtStart[priority.ordinal()];
    successesAtStart[priority.ordinal()] = now;
    return Math.max(0, windowSuccesses);
  }

  private long takeBlocked() {
    long now = blocked.get();
    long windowBlocked = now - blockedAtStart;
    blockedAtStart = now;
    return windowBlocked;
  }

  private void raiseMaxInFlight(int inFlight) {
    int seen = maxInFlight;
    while (inFlight > seen) {
      int witness = (int) MAX_IN_FLIGHT.compareAndExchange(this, seen, inFlight);
      if (witness == seen) {
        return;
      }
      seen = witness;
    }
  }

  private static boolean overridesOnSample(LimitAlgorithm algorithm) {
    try {
      return algorithm.getClass()
          .getMethod("onSample", long.class, long.class, int.class, boolean.class)
          .getDeclaringClass() != LimitAlgorithm.class;
    } catch (NoSuchMethodException | SecurityException e) {
      return true;
    }
  }
}
