package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.LaneRejectedException;
import dev.lanes.Priority;
import dev.lanes.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CRITICAL calls on a native lane run at once, on a worker kept for them. */
class NativeLaneCriticalTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;
  private NativeLane lane;

  @AfterEach
  void closeLane() throws InterruptedException {
    if (lane != null) {
      NativeLaneTesting.closeWithin(lane, Duration.ofSeconds(30));
    }
  }

  /**
   * Defect 8: with every worker of the limit busy, a CRITICAL call runs at once, and its latency
   * sample holds no wait behind the NORMAL work. The clock moves only after it has finished.
   */
  @Test
  void aCriticalCallRunsWhileEveryWorkerOfTheLimitIsBusy() throws Exception {
    lane = NativeLane.builder("critical").threads(1)
        .lane(l -> l.algorithm((window, limit) -> limit).ticker(ticker)
            .maxWait(Duration.ofSeconds(30)))
        .build();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> normal = lane.submit(Priority.NORMAL, () -> {
      running.countDown();
      release.await();
      return "normal";
    });
    running.await();

    CompletableFuture<String> critical = lane.submit(Priority.CRITICAL, () -> "critical");
    try {
      assertThat(critical).succeedsWithin(PATIENCE).isEqualTo("critical");
      assertThat(normal).isNotDone();
    } finally {
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      release.countDown();
    }
    assertThat(normal).succeedsWithin(PATIENCE).isEqualTo("normal");
    await().atMost(PATIENCE).until(() -> lane.lane().inFlight() == 0);
    assertThat(lane.lane().snapshot().completed(Priority.CRITICAL)).isEqualTo(1);
    assertThat(lane.lane().snapshot().totalLatencyNanos(Priority.CRITICAL))
        .as("the CRITICAL sample").isLessThan(Duration.ofSeconds(10).toNanos());
  }

  /** Beyond the workers kept for them, CRITICAL calls are refused, not queued behind others. */
  @Test
  void criticalCallsBeyondTheWorkersKeptForThemAreRefused() throws Exception {
    lane = NativeLane.builder("critical-ceiling").threads(1).criticalThreads(1)
        .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)))
        .build();
    CountDownLatch running = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    Callable<String> hold = () -> {
      running.countDown();
      release.await();
      return "held";
    };
    CompletableFuture<String> normal = lane.submit(Priority.NORMAL, hold);
    CompletableFuture<String> critical = lane.submit(Priority.CRITICAL, hold);
    running.await();
    try {
      assertThat(lane.submit(Priority.CRITICAL, () -> "third")).failsWithin(PATIENCE)
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOfSatisfying(LaneRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(LaneRejectedException.Reason.CEILING));
    } finally {
      release.countDown();
    }
    assertThat(normal).succeedsWithin(PATIENCE);
    assertThat(critical).succeedsWithin(PATIENCE);
    await().atMost(PATIENCE).until(() -> lane.lane().inFlight() == 0);
  }

  /** With no worker kept for them, CRITICAL calls skip the queue but only into the limit. */
  @Test
  void withoutCriticalThreadsACriticalCallNeedsRoomInTheLimit() throws Exception {
    lane = NativeLane.builder("critical-none").threads(2).criticalThreads(0)
        .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)))
        .build();
    assertThat(lane.criticalThreads()).isZero();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> normal = lane.submit(Priority.NORMAL, () -> {
      running.countDown();
      release.await();
      return "normal";
    });
    running.await();
    try {
      assertThat(lane.call(Priority.CRITICAL, () -> "critical")).isEqualTo("critical");
    } finally {
      release.countDown();
    }
    assertThat(normal).succeedsWithin(PATIENCE);
    assertThatThrownBy(() -> NativeLane.builder("x").criticalThreads(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("criticalThreads").hasMessageContaining("-1");
  }

  /** Jobs wait for a worker only while one is starting; CRITICAL ones are then taken first. */
  @Test
  void aCriticalCallIsTakenBeforeTheCallsQueuedBeforeIt() throws Exception {
    CountDownLatch firstReady = new CountDownLatch(1);
    CountDownLatch secondReady = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean();
    List<String> order = new CopyOnWriteArrayList<>();
    lane = NativeLane.builder("critical-first").threads(1).criticalThreads(1)
        .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)))
        .threadInit(() -> {
          try {
            (first.compareAndSet(false, true) ? firstReady : secondReady).await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })
        .build();
    try {
      CompletableFuture<Boolean> normal = lane.submit(Priority.NORMAL, () -> order.add("normal"));
      CompletableFuture<Boolean> critical =
          lane.submit(Priority.CRITICAL, () -> order.add("critical"));
      assertThat(lane.lane().inFlight()).isEqualTo(2);
      firstReady.countDown(); // one worker is ready, with two jobs queued
      assertThat(normal).succeedsWithin(PATIENCE);
      assertThat(critical).succeedsWithin(PATIENCE);
      assertThat(order).containsExactly("critical", "normal");
    } finally {
      secondReady.countDown();
    }
  }
}
