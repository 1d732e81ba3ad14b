package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void bucketsAreContiguousAndOrdered() {
    for (int b = 1; b < LatencyHistogram.BUCKETS; b++) {
      long lower = LatencyHistogram.lowerBound(b);
      assertThat(lower).as("bucket %d", b).isGreaterThan(LatencyHistogram.lowerBound(b - 1));
      assertThat(LatencyHistogram.bucketOf(lower)).as("lower bound of %d", b).isEqualTo(b);
      assertThat(LatencyHistogram.bucketOf(lower - 1)).as("just below %d", b).isEqualTo(b - 1);
    }
  }

  @Test
  void coversAtLeastSixtySecondsAndClampsBeyond() {
    assertThat(LatencyHistogram.lowerBound(LatencyHistogram.BUCKETS - 1))
        .isGreaterThan(60_000_000_000L);
    assertThat(LatencyHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    assertThat(LatencyHistogram.bucketOf(-5)).isZero();
  }

  @Test
  void distributionOfNothingIsZero() {
    assertThat(Distribution.EMPTY.percentile(0.99)).isZero();
    assertThat(Distribution.EMPTY.mean()).isZero();
    assertThat(Distribution.EMPTY.max()).isZero();
  }
}
