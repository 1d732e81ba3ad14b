package dev.lanes;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the latency of a lane's calls and feeds its algorithm. Samples go into cumulative
 * histograms, one per priority; a window is the difference between the histograms at its two ends.
 * The releasing thread that finds the window due closes it and runs the algorithm; a
 * {@code tryLock}-style flag makes sure only one does, and nobody waits for it.
 */
final class LatencyWindow {

  private final Lane lane;
  private final LimitAlgorithm algorithm;
  private final double quantile;
  private final int minSamples;
  private final long minNanos;
  private final long maxNanos;

  private final LatencyHistogram[] histograms = new LatencyHistogram[Priority.values().length];
  private final AtomicLong drops = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean failureReported = new AtomicBoolean();

  private volatile long startNanos;
  private volatile long startCompletions;
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile WindowSummary last;

  // Guarded by `closing`.
  private final long[][] countsAtStart;
  private final long[] scratch = new long[LatencyHistogram.BUCKETS];
  private long dropsAtStart;

  LatencyWindow(Lane lane, LimitAlgorithm algorithm, WindowConfig config, long nowNanos) {
    this.lane = lane;
    this.algorithm = algorithm;
    this.quantile = config.quantile();
    this.minSamples = config.minSamples();
    this.minNanos = config.minDuration().toNanos();
    this.maxNanos = config.maxDuration().toNanos();
    this.countsAtStart = new long[histograms.length][LatencyHistogram.BUCKETS];
    for (int i = 0; i < histograms.length; i++) {
      histograms[i] = new LatencyHistogram();
    }
    this.startNanos = nowNanos;
  }

  /**
   * Records one release.
   *
   * @param inFlight the in-flight count just before the release
   * @param completions the lane's running count of sampled releases, this one included
   */
  void record(
      Priority priority, long grantedNanos, long nowNanos, int inFlight, boolean dropped,
      long completions) {
    long rtt = nowNanos - grantedNanos;
    if (dropped) {
      drops.incrementAndGet();
    } else {
      histograms[priority.ordinal()].record(rtt);
    }
    // In-flight only falls through releases, so the release that ends a peak sees it.
    if (inFlight > maxInFlight.get()) {
      maxInFlight.accumulateAndGet(inFlight, Math::max);
    }
    try {
      algorithm.onSample(grantedNanos, rtt, inFlight, dropped);
    } catch (Throwable t) {
      reportFailure(t);
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
    histograms[priority.ordinal()].copyInto(counts);
    return new Distribution(counts);
  }

  double quantile() {
    return quantile;
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
      WindowSummary window = new HistogramWindow(
          start, nowNanos, takeLatency(), takeDrops(), maxInFlight.get(), quantile);
      startNanos = nowNanos;
      startCompletions = completions;
      maxInFlight.set(lane.inFlight());
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

  private Distribution takeLatency() {
    long[] window = new long[LatencyHistogram.BUCKETS];
    for (int p = 0; p < histograms.length; p++) {
      histograms[p].copyInto(scratch);
      long[] before = countsAtStart[p];
      for (int i = 0; i < window.length; i++) {
        window[i] += scratch[i] - before[i];
        before[i] = scratch[i];
      }
    }
    return new Distribution(window);
  }

  private int takeDrops() {
    long now = drops.get();
    int windowDrops = (int) (now - dropsAtStart);
    dropsAtStart = now;
    return windowDrops;
  }

  private long samplesSince(long completions) {
    return (completions - startCompletions) & Gate.COMPLETIONS_MASK;
  }

}
