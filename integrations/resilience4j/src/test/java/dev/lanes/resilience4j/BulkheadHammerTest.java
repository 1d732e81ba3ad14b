package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Many threads take and give back permits in every way Resilience4j does, across threads as well
 * as on one, and the lane's books must balance to the permit.
 */
class BulkheadHammerTest {

  private static final int LIMIT = 6;
  private static final int WORKERS = 8;
  private static final int OPERATIONS = 4_000;

  private final LongAdder onCompletes = new LongAdder();
  private final LongAdder releases = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder overloaded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder finishedEvents = new LongAdder();
  private final AtomicInteger overLimit = new AtomicInteger();

  @Test
  void acquireOnCompleteAndReleaseFromManyThreadsBalanceToThePermit() throws Exception {
    long seed = System.nanoTime();
    Lane lane = Lane.builder("hammer").algorithm(new FixedLimit()).limits(1, LIMIT, 64).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(64)
        .maxWaitDuration(Duration.ofMillis(1)).build());
    bulkhead.getEventPublisher().onCallFinished(e -> finishedEvents.increment());
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    ExecutorService completers = Executors.newFixedThreadPool(3);
    Queue<Future<?>> handedOff = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);

    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        SplittableRandom random = new SplittableRandom(seed + w);
        running.add(workers.submit(() -> {
          start.await();
          for (int i = 0; i < OPERATIONS; i++) {
            operate(random.nextInt(7), random, lane, bulkhead, completers, handedOff);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> worker : running) {
        worker.get(120, TimeUnit.SECONDS);
      }
      for (Future<?> f; (f = handedOff.poll()) != null; ) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      workers.shutdownNow();
      completers.shutdownNow();
      assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(completers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    String context = "seed " + seed;
    LaneSnapshot snapshot = lane.snapshot();
    assertThat(overLimit).as(context).hasValue(0);
    assertThat(lane.inFlight()).as(context + ": every permit came back").isZero();
    assertThat(bulkhead.permitsHeld()).as(context).isZero();
    long completed = snapshot.completed(Priority.NORMAL);
    long ignored = snapshot.ignored(Priority.NORMAL);
    long dropped = snapshot.dropped(Priority.NORMAL);
    assertThat(snapshot.admitted(Priority.NORMAL)).as(context + ": each released exactly once")
        .isEqualTo(completed + ignored + dropped);
    assertThat(completed).as(context).isEqualTo(onCompletes.sum() + succeeded.sum());
    assertThat(ignored).as(context).isEqualTo(releases.sum() + failed.sum());
    assertThat(dropped).as(context).isEqualTo(overloaded.sum());
    assertThat(finishedEvents.sum()).as(context).isEqualTo(
        onCompletes.sum() + succeeded.sum() + failed.sum() + overloaded.sum());
    assertThat(rejected.sum()).as(context + ": the test did run into a full bulkhead")
        .isPositive();

    bulkhead.onComplete(); // nothing is out: this must change nothing
    bulkhead.releasePermission();
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().admitted(Priority.NORMAL)).isEqualTo(snapshot.admitted(
        Priority.NORMAL));
  }

  private void operate(int op, SplittableRandom random, Lane lane, LaneBulkhead bulkhead,
      ExecutorService completers, Queue<Future<?>> handedOff) throws Exception {
    try {
      switch (op) {
        case 0 -> { // a synchronous decorator: acquire and onComplete on this thread
          Bulkhead.decorateRunnable(bulkhead, () -> check(lane)).run();
          onCompletes.increment();
        }
        case 1 -> { // acquired here, completed on another thread
          if (bulkhead.tryAcquirePermission()) {
            check(lane);
            handedOff.add(completers.submit(() -> {
              bulkhead.onComplete();
              onCompletes.increment();
            }));
          } else {
            rejected.increment();
          }
        }
        case 2 -> { // taken and not used, on this thread
          bulkhead.acquirePermission();
          check(lane);
          bulkhead.releasePermission();
          releases.increment();
        }
        case 3 -> { // taken and not used, given back from another thread
          if (bulkhead.tryAcquirePermission()) {
            handedOff.add(completers.submit(() -> {
              bulkhead.releasePermission();
              releases.increment();
            }));
          } else {
            rejected.increment();
          }
        }
        case 4 -> { // execute*: its own permit, three outcomes
          int outcome = random.nextInt(3);
          try {
            bulkhead.executeCallable(() -> {
              check(lane);
              if (outcome == 1) {
                throw new TimeoutException();
              } else if (outcome == 2) {
                throw new IllegalArgumentException();
              }
              return null;
            });
            succeeded.increment();
          } catch (TimeoutException e) {
            overloaded.increment();
          } catch (IllegalArgumentException e) {
            failed.increment();
          }
        }
        case 5 -> { // Resilience4j's completion-stage decorator, finished elsewhere
          CompletableFuture<String> stage = new CompletableFuture<>();
          CompletableFuture<String> result = Bulkhead.decorateCompletionStage(bulkhead, () -> {
            check(lane);
            return stage;
          }).get().toCompletableFuture();
          if (result.isCompletedExceptionally()) {
            rejected.increment();
          } else {
            handedOff.add(completers.submit(() -> {
              stage.complete("done");
              onCompletes.increment();
            }));
          }
        }
        default -> { // the bulkhead's own completion stage, finished elsewhere
          boolean overload = random.nextBoolean();
          CompletableFuture<String> stage = new CompletableFuture<>();
          CompletableFuture<String> result = bulkhead.executeCompletionStage(() -> {
            check(lane);
            return stage;
          }).toCompletableFuture();
          if (result.isCompletedExceptionally()) {
            rejected.increment();
          } else {
            handedOff.add(completers.submit(() -> {
              if (overload) {
                stage.completeExceptionally(new TimeoutException());
                overloaded.increment();
              } else {
                stage.complete("done");
                succeeded.increment();
              }
            }));
          }
        }
      }
    } catch (BulkheadFullException e) {
      rejected.increment();
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  private void check(Lane lane) {
    if (lane.inFlight() > LIMIT) {
      overLimit.incrementAndGet();
    }
  }
}
