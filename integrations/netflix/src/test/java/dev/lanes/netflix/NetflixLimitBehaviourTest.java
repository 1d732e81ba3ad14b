package dev.lanes.netflix;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.SettableLimit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What Netflix's limits do (concurrency-limits 0.5.4), held against a lane that runs them through
 * {@link NetflixLimits#asAlgorithm}: the lane starts where the limit starts, and follows every
 * change the limit makes at once, sample by sample, as Netflix's own limiters do. Windows never
 * close in these tests, so nothing reaches the lane the slow way.
 */
class NetflixLimitBehaviourTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** A lane run by {@code limit}, in virtual time, whose windows never close. */
  private LaneBuilder laneRunBy(Limit limit) {
    return Lane.builder("netflix").algorithm(NetflixLimits.asAlgorithm(limit)).ticker(now::get)
        .maxWait(Duration.ZERO)
        .window(WindowConfig.percentile(0.99).minSamples(Integer.MAX_VALUE)
            .maxDuration(Duration.ofDays(365)));
  }

  /**
   * Gives the lane's limit one sample of latency {@code rtt}, taken with {@code inFlight} calls in
   * flight (this one included) and released with {@code release}; the other calls go back without
   * a sample.
   */
  private void sample(Lane lane, Duration rtt, int inFlight, Consumer<Permit> release) {
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      permits.add(lane.tryAcquire(Priority.CRITICAL).orElseThrow());
    }
    now.addAndGet(rtt.toNanos());
    release.accept(permits.get(0));
    permits.forEach(Permit::ignore);
  }

  // ---- where the lane starts ----

  @Test
  void aLaneStartsWhereItsLimitStarts() {
    assertThat(laneRunBy(SettableLimit.startingAt(30)).build().limit()).isEqualTo(30);
    assertThat(laneRunBy(Gradient2Limit.newDefault()).build().limit()).isEqualTo(20);
    assertThat(laneRunBy(AIMDLimit.newBuilder().build()).build().limit()).isEqualTo(20);
    assertThat(laneRunBy(VegasLimit.newBuilder().initialLimit(10).build()).build().limit())
        .isEqualTo(10);
    assertThat(Lane.builder("by-name").algorithm("netflix-gradient2").build().limit())
        .isEqualTo(20);
  }

  @Test
  void explicitLimitsWinAndTheLanesBoundsClampTheStart() {
    assertThat(laneRunBy(SettableLimit.startingAt(30)).limits(1, 8, 100).build().limit())
        .isEqualTo(8);
    assertThat(laneRunBy(SettableLimit.startingAt(500)).build().limit())
        .as("a lane's default max is 64").isEqualTo(64);
    assertThat(laneRunBy(SettableLimit.startingAt(1)).build().limit())
        .as("a lane's default min is 2").isEqualTo(2);
  }

  // ---- a limit that is set from outside ----

  @Test
  void aSettableLimitMovesTheLaneAtOnceWithinItsBounds() {
    SettableLimit limit = SettableLimit.startingAt(10);
    Lane lane = laneRunBy(limit).limits(2, 10, 50).build();

    limit.setLimit(12);
    assertThat(lane.limit()).isEqualTo(12);
    limit.setLimit(1);
    assertThat(lane.limit()).as("clamped to min").isEqualTo(2);
    limit.setLimit(400);
    assertThat(lane.limit()).as("clamped to max").isEqualTo(50);
  }

  @Test
  void raisingASettableLimitWakesACallWaitingInTheLane() throws Exception {
    SettableLimit limit = SettableLimit.startingAt(2);
    Lane lane = laneRunBy(limit).limits(1, 2, 50).build();
    lane.tryAcquire(Priority.NORMAL).orElseThrow();
    lane.tryAcquire(Priority.NORMAL).orElseThrow();
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      Future<Permit> waiting = waiter.submit(
          () -> lane.acquire(Priority.NORMAL, Duration.ofSeconds(30)));
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);

      limit.setLimit(3);
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isNotNull();
      assertThat(lane.inFlight()).isEqualTo(3);
    } finally {
      waiter.shutdownNow();
    }
  }

  @Test
  void aLimitThatChangesWithoutTellingIsReadWhenAWindowCloses() {
    Silent silent = new Silent(10);
    Lane lane = Lane.builder("silent").algorithm(NetflixLimits.asAlgorithm(silent))
        .ticker(now::get).window(WindowConfig.percentile(0.99).minSamples(1)
            .minDuration(Duration.ZERO)).build();
    assertThat(lane.limit()).isEqualTo(10);

    silent.value = 14;
    assertThat(lane.limit()).as("nobody told the lane yet").isEqualTo(10);
    sample(lane, Duration.ofMillis(1), 1, Permit::close);
    assertThat(lane.limit()).isEqualTo(14);
  }

  // ---- AIMD: one up per success while busy, a tenth off per drop ----

  private static AIMDLimit aimd() {
    return AIMDLimit.newBuilder().minLimit(1).initialLimit(10).maxLimit(200).build();
  }

  @Test
  void aimdGrowsByOneWithEachSuccessOfABusyLane() {
    Lane lane = laneRunBy(aimd()).build();
    sample(lane, Duration.ofMillis(1), 10, Permit::close);
    assertThat(lane.limit()).isEqualTo(11);
    sample(lane, Duration.ofMillis(1), 11, Permit::close);
    assertThat(lane.limit()).isEqualTo(12);
  }

  @Test
  void aimdDoesNotGrowWhileTheLaneIsMostlyIdle() {
    Lane lane = laneRunBy(aimd()).build();
    sample(lane, Duration.ofMillis(1), 4, Permit::close); // 4 * 2 < 10
    assertThat(lane.limit()).isEqualTo(10);
  }

  @Test
  void aimdBacksOffOnADropAndOnACallSlowerThanItsTimeout() {
    Lane lane = laneRunBy(aimd()).build();
    sample(lane, Duration.ofMillis(1), 10, Permit::dropped);
    assertThat(lane.limit()).isEqualTo(9);
    sample(lane, Duration.ofSeconds(6), 9, Permit::close); // AIMD's timeout is 5 s
    assertThat(lane.limit()).isEqualTo(8);
  }

  @Test
  void aReleaseWithoutASampleLeavesTheLimitAlone() {
    Lane lane = laneRunBy(aimd()).build();
    sample(lane, Duration.ofMillis(1), 10, Permit::ignore);
    assertThat(lane.limit()).isEqualTo(10);
  }

  // ---- Vegas: the queue it infers from latency over the no-load latency ----

  private static VegasLimit vegas() {
    // Fixed thresholds: grow fast below a queue of 1, hold between 3 and 6, shrink above 6.
    return VegasLimit.newBuilder().alpha(3).beta(6).smoothing(1.0).initialLimit(10)
        .maxConcurrency(20).build();
  }

  @Test
  void vegasGrowsWhileLatencyStaysAtItsNoLoadValue() {
    Lane lane = laneRunBy(vegas()).build();
    sample(lane, Duration.ofMillis(10), 10, Permit::close);
    assertThat(lane.limit()).as("the first sample only sets the no-load latency").isEqualTo(10);
    sample(lane, Duration.ofMillis(10), 10, Permit::close);
    assertThat(lane.limit()).as("no queue: + beta").isEqualTo(16);
  }

  @Test
  void vegasHoldsWhileTheQueueIsModestAndShrinksWhenItGrows() {
    Lane lane = laneRunBy(vegas()).build();
    sample(lane, Duration.ofMillis(10), 10, Permit::close);
    sample(lane, Duration.ofMillis(10), 10, Permit::close);
    sample(lane, Duration.ofMillis(14), 16, Permit::close); // queue ceil(16 * 4/14) = 5
    assertThat(lane.limit()).isEqualTo(16);
    sample(lane, Duration.ofMillis(50), 16, Permit::close); // queue ceil(16 * 40/50) = 13
    assertThat(lane.limit()).isEqualTo(15);
  }

  @Test
  void vegasShrinksOnADropAndIgnoresAnIdleLane() {
    Lane lane = laneRunBy(vegas()).build();
    sample(lane, Duration.ofMillis(10), 10, Permit::close);
    sample(lane, Duration.ofMillis(50), 2, Permit::close); // 2 * 2 < 10: not a signal
    assertThat(lane.limit()).isEqualTo(10);
    sample(lane, Duration.ofMillis(10), 2, Permit::dropped);
    assertThat(lane.limit()).isEqualTo(9);
  }

  @Test
  void theAlgorithmIsNamedAfterTheNetflixLimit() {
    assertThat(NetflixLimits.asAlgorithm(aimd()).name()).isEqualTo("netflix-AIMDLimit");
    assertThat(NetflixLimits.asAlgorithm(vegas()).toString()).contains("VegasLimit");
  }

  /** A Limit that changes its value without calling its listeners. */
  private static final class Silent implements Limit {
    volatile int value;

    Silent(int value) {
      this.value = value;
    }

    @Override
    public int getLimit() {
      return value;
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {}

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {}
  }
}
