package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A busy lane times one call in {@code k}: its tail must stay honest, every call must still count,
 * and windows must still close on time. Calls overlap in virtual time (a ManualTicker driven by an
 * event queue), at a million calls per second, with seeded latencies.
 */
class SampledTimingTest {

  private static final int CALLS = 2_000_000;
  private static final long ARRIVAL_NANOS = 1_000; // a million calls a second

  /** Log-normal around 100 µs (sigma 0.5), or Pareto with shape 1.5 from 50 µs: a heavy tail. */
  private static long latency(SplittableRandom random, boolean heavyTail) {
    if (heavyTail) {
      double u = 1 - random.nextDouble();
      return (long) (50_000 / Math.pow(u, 1 / 1.5));
    }
    double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
        * Math.cos(2 * Math.PI * random.nextDouble());
    return (long) (100_000 * Math.exp(0.5 * gaussian));
  }

  @ParameterizedTest(name = "heavy tail: {0}")
  @ValueSource(booleans = {false, true})
  void theSampledTailIsTheExactTailWithinHistogramAndSamplingError(boolean heavyTail) {
    long seed = Long.getLong("lanes.seed", 20261130L);
    try {
      run(seed, heavyTail);
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + " (rerun with -Dlanes.seed=" + seed + ")", e);
    }
  }

  private void run(long seed, boolean heavyTail) {
    SplittableRandom random = new SplittableRandom(seed);
    ManualTicker ticker = new ManualTicker();
    SteerableAlgorithm algorithm = new SteerableAlgorithm(1_000_000);
    Lane lane = Lane.builder("sampled").algorithm(algorithm).limits(1, 1_000_000, 1_000_000)
        .ticker(ticker).window(WindowConfig.defaults()).build();

    long[] exact = new long[CALLS];
    long start = ticker.nanoTime();
    // Releases due, by time: {due, index}; the permits themselves in a parallel array.
    PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    Permit[] permits = new Permit[CALLS];
    int drops = 0;
    for (int i = 0; i < CALLS; i++) {
      long arrival = start + i * ARRIVAL_NANOS;
      while (!due.isEmpty() && due.peek()[0] <= arrival) {
        drops += release(due.poll(), permits, ticker, i);
      }
      ticker.advanceNanos(arrival - ticker.nanoTime());
      exact[i] = latency(random, heavyTail);
      permits[i] = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      due.add(new long[] {arrival + exact[i], i});
    }
    while (!due.isEmpty()) {
      drops += release(due.poll(), permits, ticker, CALLS);
    }

    LaneSnapshot s = lane.snapshot();
    assertThat(lane.inFlight()).isZero();
    // Every call counts, timed or not.
    assertThat(s.completed(Priority.NORMAL) + s.dropped(Priority.NORMAL)).isEqualTo(CALLS);
    assertThat(s.dropped(Priority.NORMAL)).isEqualTo(drops);
    long windowCalls = algorithm.windows.stream().mapToLong(WindowSummary::calls).sum();
    assertThat(windowCalls).isLessThanOrEqualTo(CALLS).isGreaterThan(CALLS * 9L / 10);
    // Few were timed, and yet every window timed enough of them.
    long timed = s.timed(Priority.NORMAL);
    assertThat(timed).as("timed calls: all of the first window, then one in 64").isLessThan(CALLS / 8);
    for (WindowSummary w : algorithm.windows.subList(2, algorithm.windows.size() - 1)) {
      assertThat(w.samples() + w.drops()).as("timed in %s", w).isGreaterThanOrEqualTo(1_000);
      // ...and closed on time: a window of 100 ms, closed by a timed call a few µs late.
      assertThat(Duration.ofNanos(w.endNanos() - w.startNanos()))
          .isBetween(Duration.ofMillis(100), Duration.ofMillis(101));
      assertThat(w.completionsPerSecond()).isBetween(0.95e6, 1.05e6);
    }

    // The tail: the exact p99 of the successes, moved by three standard errors of a p99 from
    // `timed` samples and widened by the histogram's 3.2%, must hold the lane's.
    long[] successes = new long[CALLS - drops];
    for (int i = 0, j = 0; i < CALLS; i++) {
      if (i % 50 != 0) {
        successes[j++] = exact[i];
      }
    }
    Arrays.sort(successes);
    int n = successes.length;
    double p = 0.99;
    double se = 3 * Math.sqrt(p * (1 - p) / timed);
    long low = successes[(int) ((p - se) * n)];
    long high = successes[(int) Math.min(n - 1, (p + se) * n)];
    long sampled = s.latencyNanos(Priority.NORMAL, p);
    assertThat(sampled).as("sampled p99 against exact p99 %d (band %d..%d)",
            successes[(int) (p * n)], low, high)
        .isBetween((long) (low * 0.968), (long) (high * 1.032));
  }

  /** Releases one due call; one in 50 is dropped. Returns 1 for a drop. */
  private static int release(long[] event, Permit[] permits, ManualTicker ticker, int ignored) {
    ticker.advanceNanos(event[0] - ticker.nanoTime());
    int i = (int) event[1];
    Permit permit = permits[i];
    permits[i] = null;
    if (i % 50 == 0) {
      permit.dropped();
      return 1;
    }
    permit.close();
    return 0;
  }
}
