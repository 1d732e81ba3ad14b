package dev.lanes;

/** An immutable set of {@link LatencyHistogram} bucket counts, and the statistics read from it. */
final class Distribution {

  static final Distribution EMPTY = new Distribution(new long[LatencyHistogram.BUCKETS]);

  private final long[] counts;
  private final long total;
  private final long sum;
  private final int first;
  private final int last;

  /** Takes ownership of {@code counts}. */
  Distribution(long[] counts) {
    this.counts = counts;
    long n = 0;
    long s = 0;
    int lo = -1;
    int hi = -1;
    for (int i = 0; i < counts.length; i++) {
      long c = counts[i];
      if (c > 0) {
        n += c;
        s += c * LatencyHistogram.valueOf(i);
        if (lo < 0) {
          lo = i;
        }
        hi = i;
      }
    }
    this.total = n;
    this.sum = s;
    this.first = lo;
    this.last = hi;
  }

  long count() {
    return total;
  }

  long percentile(double quantile) {
    if (total == 0) {
      return 0;
    }
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile must be between 0 and 1, was " + quantile);
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * total));
    long seen = 0;
    for (int i = first; i <= last; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return LatencyHistogram.valueOf(i);
      }
    }
    return LatencyHistogram.valueOf(last);
  }

  /** The sum of every sample, each counted at its bucket's midpoint. */
  long sum() {
    return sum;
  }

  long min() {
    return total == 0 ? 0 : LatencyHistogram.valueOf(first);
  }

  long max() {
    return total == 0 ? 0 : LatencyHistogram.valueOf(last);
  }

  long mean() {
    return total == 0 ? 0 : sum / total;
  }
}
