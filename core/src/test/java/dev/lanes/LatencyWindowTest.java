package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Windows close on enough samples and enough time, and one thread at a time runs update. */
class LatencyWindowTest {

  private final ManualTicker ticker = new ManualTicker();
  private final SteerableAlgorithm algorithm = new SteerableAlgorithm(4);

  private Lane lane(WindowConfig window) {
    return Lane.builder("window").algorithm(algorithm).limits(1, 4, 16).ticker(ticker)
        .window(window).build();
  }

  private void call(Lane lane, Duration latency) {
    Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    ticker.advance(latency);
    permit.close();
  }

  @Test
  void needsBothEnoughSamplesAndEnoughTime() {
    Lane lane = lane(WindowConfig.percentile(0.99).minSamples(10)
        .minDuration(Duration.ofMillis(100)).maxDuration(Duration.ofSeconds(10)));
    for (int i = 0; i < 20; i++) {
      call(lane, Duration.ofMillis(1));
    }
    assertThat(algorithm.windows).as("20 samples in 20 ms").isEmpty();

    ticker.advance(Duration.ofMillis(100));
    call(lane, Duration.ofMillis(1));
    assertThat(algorithm.windows).hasSize(1);
    assertThat(algorithm.windows.get(0).samples()).isEqualTo(21);

    ticker.advance(Duration.ofMillis(200));
    for (int i = 0; i < 9; i++) {
      call(lane, Duration.ofMillis(1));
    }
    assertThat(algorithm.windows).as("enough time, 9 samples").hasSize(1);
    call(lane, Duration.ofMillis(1));
    assertThat(algorithm.windows).hasSize(2);
    assertThat(algorithm.windows.get(1).samples()).isEqualTo(10);
  }

  @Test
  void closesAtMaxDurationWithFewSamples() {
    Lane lane = lane(WindowConfig.percentile(0.99).minSamples(1_000)
        .minDuration(Duration.ofMillis(10)).maxDuration(Duration.ofSeconds(1)));
    call(lane, Duration.ofMillis(5));
    ticker.advance(Duration.ofSeconds(1));
    call(lane, Duration.ofMillis(5));
    assertThat(algorithm.windows).hasSize(1);
    WindowSummary window = algorithm.windows.get(0);
    assertThat(window.samples()).isEqualTo(2);
    assertThat(window.endNanos() - window.startNanos()).isGreaterThanOrEqualTo(1_000_000_000L);
  }

  @Test
  void reportsDropsPeakInFlightAndRate() {
    Lane lane = lane(WindowConfig.percentile(0.99).minSamples(5).minDuration(Duration.ZERO));
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      permits.add(lane.tryAcquire(Priority.NORMAL).orElseThrow());
    }
    ticker.advance(Duration.ofMillis(10));
    permits.get(0).dropped();
    permits.get(1).dropped();
    permits.get(2).close();
    permits.get(3).ignore();
    call(lane, Duration.ofMillis(10));
    call(lane, Duration.ofMillis(10));
    assertThat(algorithm.windows).hasSize(1);
    WindowSummary window = algorithm.windows.get(0);
    assertThat(window.drops()).isEqualTo(2);
    assertThat(window.samples()).isEqualTo(3);
    assertThat(window.maxInFlight()).isEqualTo(4);
    assertThat(window.percentileNanos(0.5)).isBetween(9_500_000L, 10_500_000L);
    assertThat(window.completionsPerSecond()).isBetween(160.0, 170.0); // 5 in 30 ms
  }

  @Test
  void onlyOneThreadAtATimeRunsTheAlgorithm() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    AtomicInteger updates = new AtomicInteger();
    LimitAlgorithm watching = (window, limit) -> {
      if (inside.incrementAndGet() > 1) {
        overlapped.set(true);
      }
      updates.incrementAndGet();
      Thread.onSpinWait();
      inside.decrementAndGet();
      return limit;
    };
    Lane lane = Lane.builder("one-at-a-time").algorithm(watching).limits(1, 64, 64)
        .window(SteerableAlgorithm.everyRelease()).build();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        awaitQuietly(start);
        for (int i = 0; i < 20_000; i++) {
          lane.tryAcquire(Priority.NORMAL).ifPresent(Permit::close);
        }
      });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(overlapped).isFalse();
    assertThat(updates.get()).isPositive();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void listenersHearWindowsLimitChangesAndRejections() {
    List<String> events = new CopyOnWriteArrayList<>();
    SteerableAlgorithm steer = new SteerableAlgorithm(1);
    Lane lane = SteerableAlgorithm.lane("heard", steer, 1, 1, 4)
        .listener(new LaneListener() {
          @Override
          public void onLimitChanged(Lane l, int oldLimit, int newLimit) {
            events.add("limit " + oldLimit + "->" + newLimit);
          }

          @Override
          public void onWindowClosed(Lane l, WindowSummary window, int limit) {
            events.add("window " + window.samples() + " at " + limit);
          }

          @Override
          public void onRejected(Lane l, Priority priority, LaneRejectedException.Reason reason) {
            events.add("rejected " + priority + " " + reason);
          }
        })
        .listener(new LaneListener() {
          @Override
          public void onWindowClosed(Lane l, WindowSummary window, int limit) {
            throw new IllegalStateException("a broken listener must not break the lane");
          }
        })
        .build();
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    assertThat(lane.tryAcquire(Priority.NORMAL)).isEmpty();
    steer.target = 3;
    held.close();
    assertThat(events).containsExactly(
        "rejected NORMAL LIMIT_REACHED", "limit 1->3", "window 1 at 3");
    assertThat(lane.snapshot().lastWindow()).isPresent();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aDisabledWindowReadsNoClockAndKeepsTheLimit() {
    Ticker refusing = () -> {
      throw new AssertionError("the clock must not be read");
    };
    Lane lane = Lane.builder("bare").algorithm(algorithm).limits(1, 4, 16).ticker(refusing)
        .window(WindowConfig.disabled()).build();
    for (int i = 0; i < 1_000; i++) {
      lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    }
    assertThat(algorithm.windows).isEmpty();
    assertThat(lane.limit()).isEqualTo(4);
    assertThat(lane.snapshot().admitted(Priority.NORMAL)).isEqualTo(1_000);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
