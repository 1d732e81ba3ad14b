package dev.lanes;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Fixed-size, log-linear latency histograms, one per priority, that only ever count up. Recording is one atomic
 * increment. Windows are differences between two {@link #copyInto copies}, so recording never has
 * to stop or swap buffers, and no sample is lost to a window boundary.
 *
 * <p>Values below 32 ns get a bucket each; above that, every power of two is split into 16 buckets,
 * so a bucket is at most 1/16 of its lower bound wide and its midpoint is within 3.2% of any value
 * in it. The top bucket starts at about 17 minutes and takes everything longer.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 4;
  private static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int LINEAR = 2 * SUB_BUCKETS;
  private static final int FIRST_EXPONENT = SUB_BITS + 1;
  private static final int LAST_EXPONENT = 40;

  /** How many buckets every histogram has. */
  static final int BUCKETS = LINEAR + (LAST_EXPONENT - FIRST_EXPONENT + 1) * SUB_BUCKETS;

  private static final int PRIORITIES = Priority.values().length;

  // One flat array for all priorities: one pointer less to follow on every release.
  private final AtomicLongArray counts = new AtomicLongArray(PRIORITIES * BUCKETS);

  void record(Priority priority, long nanos) {
    counts.getAndIncrement(priority.ordinal() * BUCKETS + bucketOf(nanos));
  }

  /** Copies the running counts of {@code priority} into {@code target} ({@link #BUCKETS} long). */
  void copyInto(Priority priority, long[] target) {
    int offset = priority.ordinal() * BUCKETS;
    for (int i = 0; i < BUCKETS; i++) {
      target[i] = counts.get(offset + i);
    }
  }

  static int bucketOf(long nanos) {
    if (nanos < LINEAR) {
      return nanos <= 0 ? 0 : (int) nanos;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    if (exponent > LAST_EXPONENT) {
      return BUCKETS - 1;
    }
    int sub = (int) (nanos >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
    return LINEAR + (exponent - FIRST_EXPONENT) * SUB_BUCKETS + sub;
  }

  /** The smallest value that falls into {@code bucket}. */
  static long lowerBound(int bucket) {
    if (bucket < LINEAR) {
      return bucket;
    }
    int exponent = FIRST_EXPONENT + (bucket - LINEAR) / SUB_BUCKETS;
    int sub = (bucket - LINEAR) % SUB_BUCKETS;
    return (long) (SUB_BUCKETS + sub) << (exponent - SUB_BITS);
  }

  /** The value that stands for every sample in {@code bucket}: its midpoint. */
  static long valueOf(int bucket) {
    if (bucket < LINEAR) {
      return bucket;
    }
    int exponent = FIRST_EXPONENT + (bucket - LINEAR) / SUB_BUCKETS;
    long width = 1L << (exponent - SUB_BITS);
    return lowerBound(bucket) + width / 2;
  }
}
