package dev.lanes;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures the latency of a lane's calls and feeds its algorithm. Samples go into cumulative
 * histograms, one per priority; a window is the difference between the histograms at its two ends.
 * The releasing thread that finds the window due closes it and runs the algorithm; a
 * {@code tryLock}-style flag makes sure only one does, and nobody waits for it.
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

  private final Lane lane;
  private final LimitAlgorithm algorithm;
  /** Whether the algorithm overrides onSample; most do not, and then the call is skipped. */
  private final boolean perSample;
  private final double quantile;
  private final int minSamples;
  private final long minNanos;
  private final long maxNanos;

  private static final Priority[] PRIORITIES = Priority.values();

  private final LatencyHistogram histogram = new LatencyHistogram();
  private final AtomicLongArray drops = new AtomicLongArray(PRIORITIES.length);
  private final AtomicLong blocked = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean failureReported = new AtomicBoolean();

  private volatile long startNanos;
  private volatile long startCompletions;
  private volatile int maxInFlight;
  private volatile WindowSummary last;

  // Guarded by `closing`.
  private final long[][] countsAtStart;
  private final long[][] copies = new long[PRIORITIES.length][LatencyHistogram.BUCKETS];
  private final long[] dropsAtStart = new long[PRIORITIES.length];
  private long blockedAtStart;

  LatencyWindow(Lane lane, LimitAlgorithm algorithm, WindowConfig config, long nowNanos) {
    this.lane = lane;
    this.algorithm = algorithm;
    this.perSample = overridesOnSample(algorithm);
    this.quantile = config.quantile();
    this.minSamples = config.minSamples();
    this.minNanos = config.minDuration().toNanos();
    this.maxNanos = config.maxDuration().toNanos();
    this.countsAtStart = new long[PRIORITIES.length][LatencyHistogram.BUCKETS];
    this.startNanos = nowNanos;
  }

  /**
   * Records one timed release that was a success or a drop.
   *
   * @param inFlight the in-flight count just before the release
   * @param completions the lane's running count of samples (timed successes), this one included
   */
  void record(
      Priority priority, long grantedNanos, long nowNanos, int inFlight, boolean dropped,
      long completions) {
    long rtt = nowNanos - grantedNanos;
    if (dropped) {
      drops.incrementAndGet(priority.ordinal());
    } else {
      histogram.record(priority, rtt);
    }
    // In-flight only falls through releases, so the release that ends a peak sees it.
    if (inFlight > maxInFlight) {
      raiseMaxInFlight(inFlight);
    }
    if (perSample) {
      try {
        algorithm.onSample(grantedNanos, rtt, inFlight, dropped);
      } catch (Throwable t) {
        reportFailure(t);
      }
    }
    long elapsed = nowNanos - startNanos;
    if (elapsed >= minNanos
        && (samplesSince(completions) >= minSamples || elapsed >= maxNanos)) {
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

  private void close(long nowNanos) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      long start = startNanos;
      long elapsed = nowNanos - start;
      long completions = lane.completions();
      // Another thread may have closed this window a moment ago.
      if (elapsed < minNanos || (samplesSince(completions) < minSamples && elapsed < maxNanos)) {
        return;
      }
      // The gate counts a sample just before the histogram does, so the histogram may not hold
      // every sample counted yet: read it, and close only on what it holds.
      long samples = 0;
      for (Priority p : PRIORITIES) {
        histogram.copyInto(p, copies[p.ordinal()]);
        long[] before = countsAtStart[p.ordinal()];
        for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
          samples += copies[p.ordinal()][i] - before[i];
        }
      }
      if (samples < minSamples && elapsed < maxNanos) {
        return;
      }
      // Swapped, not read and then reset: a peak reached in between belongs to the next window.
      int peak = (int) MAX_IN_FLIGHT.getAndSet(this, lane.inFlight());
      long held = takeBlocked();
      List<WindowSummary> parts = new ArrayList<>(PRIORITIES.length);
      long[] all = new long[LatencyHistogram.BUCKETS];
      int allDrops = 0;
      for (Priority p : PRIORITIES) {
        long[] counts = takeLatency(p);
        int partDrops = takeDrops(p);
        for (int i = 0; i < all.length; i++) {
          all[i] += counts[i];
        }
        allDrops += partDrops;
        parts.add(new HistogramWindow(start, nowNanos, new Distribution(counts), partDrops, peak,
            held, quantile, List.of()));
      }
      WindowSummary window = new HistogramWindow(start, nowNanos, new Distribution(all),
          allDrops, peak, held, quantile, List.copyOf(parts));
      startNanos = nowNanos;
      startCompletions = completions;
      last = window;
      lane.windowClosed(window, propose(window));
    } finally {
      closing.set(false);
    }
  }

  private int propose(WindowSummary window) {
    int current = lane.limit();
    try {
      int proposed = algorithm.update(window, current);
      failureReported.set(false);
      return proposed;
    } catch (Throwable t) {
      reportFailure(t);
      return current;
    }
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

  /** A call found no permit free; off the hot path, since it is about to wait or be refused. */
  void blocked() {
    blocked.incrementAndGet();
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

  private long samplesSince(long completions) {
    return (completions - startCompletions) & Gate.COMPLETIONS_MASK;
  }

}
