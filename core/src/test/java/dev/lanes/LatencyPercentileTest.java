package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Known latencies, fed through a manual ticker, come back out of the lane within 5%. */
class LatencyPercentileTest {

  private static final int SAMPLES = 50_000;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 42, 20261127})
  void percentilesAreWithinFivePercentOfTheTruth(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ManualTicker ticker = new ManualTicker();
    SteerableAlgorithm algorithm = new SteerableAlgorithm(8);
    Lane lane = Lane.builder("percentiles").algorithm(algorithm).limits(1, 8, 8).ticker(ticker)
        .window(WindowConfig.percentile(0.99).minSamples(SAMPLES).minDuration(Duration.ZERO)
            .maxDuration(Duration.ofDays(365)))
        .build();

    long[] truth = new long[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      // Log-normal around 200 us with a long tail, up to seconds: disk-like.
      long nanos = (long) (200_000 * Math.exp(1.2 * random.nextGaussian()));
      truth[i] = Math.max(1_000, nanos);
      Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      ticker.advanceNanos(truth[i]);
      permit.close();
    }
    Arrays.sort(truth);

    WindowSummary window = algorithm.windows.get(0);
    assertThat(window.samples()).isEqualTo(SAMPLES);
    for (double q : new double[] {0.5, 0.99, 0.999}) {
      long expected = truth[(int) Math.ceil(q * SAMPLES) - 1];
      String why = "seed " + seed + ", quantile " + q;
      assertThat((double) window.percentileNanos(q)).as(why)
          .isCloseTo(expected, within(expected * 0.05));
      assertThat((double) lane.snapshot().latencyNanos(Priority.NORMAL, q)).as(why)
          .isCloseTo(expected, within(expected * 0.05));
    }
    assertThat((double) window.maxNanos()).isCloseTo(truth[SAMPLES - 1],
        within(truth[SAMPLES - 1] * 0.05));
    assertThat((double) window.minNanos()).isCloseTo(truth[0], within(truth[0] * 0.05));
    double mean = Arrays.stream(truth).average().orElseThrow();
    assertThat((double) window.meanNanos()).isCloseTo(mean, within(mean * 0.05));
  }

  @ParameterizedTest(name = "{0} ns")
  @ValueSource(longs = {1_000, 1_234, 99_999, 1_000_000, 7_777_777, 1_000_000_000L,
      60_000_000_000L, 123_456_789_012L})
  void everyBucketStandsForItsValuesWithinFivePercentFromOneMicrosecondToMinutes(long nanos) {
    int bucket = LatencyHistogram.bucketOf(nanos);
    assertThat(LatencyHistogram.lowerBound(bucket)).isLessThanOrEqualTo(nanos);
    assertThat(LatencyHistogram.lowerBound(bucket + 1)).isGreaterThan(nanos);
    assertThat((double) LatencyHistogram.valueOf(bucket)).isCloseTo(nanos, within(nanos * 0.05));
  }
}
