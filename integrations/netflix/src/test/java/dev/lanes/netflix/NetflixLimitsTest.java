package dev.lanes.netflix;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.lanes.Lane;
import dev.lanes.LaneListener;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NetflixLimitsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private final List<Integer> limits = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();

  /**
   * A lane driven by {@code limit}, closing a window every 10 samples, in virtual time. A listener
   * records the lane's limit after every window and checks that it is the Netflix limit's.
   */
  private Lane laneDrivenBy(Limit limit) {
    return Lane.builder("netflix").algorithm(NetflixLimits.asAlgorithm(limit))
        .limits(1, limit.getLimit(), 1_000).ticker(now::get)
        .window(WindowConfig.percentile(0.99).minSamples(10).minDuration(Duration.ZERO))
        .listener(new LaneListener() {
          @Override
          public void onWindowClosed(Lane lane, WindowSummary window, int laneLimit) {
            limits.add(laneLimit);
            if (laneLimit != limit.getLimit()) {
              mismatches.add(laneLimit + " != " + limit.getLimit());
            }
          }
        })
        .build();
  }

  /**
   * A closed loop in virtual time that keeps the lane full: every call holds its permit exactly
   * {@code latency}, and each release is followed at once by new calls up to the limit, so
   * in-flight stays at the limit, as under steady load.
   */
  private void run(Lane lane, int calls, Duration latency) {
    PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      for (Optional<Permit> p = lane.tryAcquire(Priority.NORMAL); p.isPresent();
          p = lane.tryAcquire(Priority.NORMAL)) {
        permits.add(p.get());
        due.add(new long[] {now.get() + latency.toNanos(), permits.size() - 1});
      }
      long[] next = due.remove();
      now.set(next[0]);
      permits.get((int) next[1]).close();
    }
    while (!due.isEmpty()) {
      permits.get((int) due.remove()[1]).close();
    }
  }

  @Test
  void aRealGradient2LimitDrivesTheLane() {
    Gradient2Limit gradient2 = Gradient2Limit.newBuilder()
        .initialLimit(20).minLimit(1).maxConcurrency(200).build();
    Lane lane = laneDrivenBy(gradient2);
    run(lane, 5_000, Duration.ofMillis(5));
    int grown = lane.limit();
    assertThat(grown).as("flat latency: Gradient2 grows").isGreaterThan(20);

    int windowsBefore = limits.size();
    run(lane, 5_000, Duration.ofMillis(50));
    assertThat(limits.subList(windowsBefore, limits.size()).stream().mapToInt(i -> i).min()
        .orElseThrow())
        .as("ten times the latency: Gradient2 backs off, until its long-term RTT catches up")
        .isLessThan(grown * 3 / 4);
    assertThat(mismatches).isEmpty();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aRealVegasLimitDrivesTheLane() {
    VegasLimit vegas = VegasLimit.newBuilder().initialLimit(20).maxConcurrency(200).build();
    Lane lane = laneDrivenBy(vegas);
    run(lane, 5_000, Duration.ofMillis(5));
    int grown = lane.limit();
    assertThat(grown).as("flat latency: Vegas grows").isGreaterThan(20);

    // Vegas backs off on drops (of a busy lane: it ignores an app-limited one).
    List<Permit> full = new ArrayList<>();
    for (Optional<Permit> p = lane.tryAcquire(Priority.NORMAL); p.isPresent();
        p = lane.tryAcquire(Priority.NORMAL)) {
      full.add(p.get());
    }
    now.addAndGet(Duration.ofMillis(5).toNanos()); // Vegas refuses a sample of zero duration
    full.forEach(Permit::dropped);
    assertThat(lane.limit()).isLessThan(grown);
    assertThat(mismatches).isEmpty();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aLaneKeepsNetflixsLimiterContract() {
    Lane lane = Lane.builder("limiter").algorithm((w, l) -> l).limits(1, 2, 2).build();
    Limiter<String> limiter = NetflixLimits.asLimiter(lane,
        context -> context.equals("health") ? Priority.CRITICAL : Priority.NORMAL);

    Optional<Limiter.Listener> first = limiter.acquire("request");
    Optional<Limiter.Listener> second = limiter.acquire("request");
    assertThat(first).isPresent();
    assertThat(second).isPresent();
    assertThat(limiter.acquire("request")).as("at the limit").isEmpty();
    Optional<Limiter.Listener> health = limiter.acquire("health");
    assertThat(health).as("CRITICAL bypasses the limit").isPresent();

    first.get().onSuccess();
    first.get().onSuccess(); // a second release changes nothing
    second.get().onDropped();
    health.get().onIgnore();
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().ignored(Priority.CRITICAL)).isEqualTo(1);
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void netflixLimitsAreRegisteredByName() {
    assertThat(LimitAlgorithms.names())
        .contains("netflix-gradient2", "netflix-vegas", "netflix-aimd");
    Lane lane = Lane.builder("by-name").algorithm("netflix-vegas").limits(1, 20, 1_000).build();
    assertThat(lane.limit()).isEqualTo(20);
  }
}
