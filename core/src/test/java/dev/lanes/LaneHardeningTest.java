package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.WindowConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the engine defects that a review found (issue 8), each written so that it
 * failed on the code before the fix. User code (readers, callbacks, schedulers, tickers) must never
 * delay, lose or duplicate a hand-over.
 */
class LaneHardeningTest {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  private static Lane fixedLane(String name, int limit) {
    return Lane.builder(name).algorithm((w, l) -> l).limits(1, limit, limit).maxWait(LONG)
        .build();
  }

  private static Permit take(Lane lane, Priority priority) {
    return lane.tryAcquire(priority).orElseThrow(() -> new AssertionError(
        priority + " refused: " + lane.snapshot()));
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    Throwable t = future.handle((v, f) -> f).join();
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** Defect 1: a reader holding the waiting room's lock swallowed a pending dispatch. */
  @Nested
  class ReadersNeverLoseAHandOver {

    @Test
    void snapshotAndToStringInALoopBesideAStreamOfWaiters() throws Exception {
      Lane lane = fixedLane("readers", 1);
      AtomicBoolean stop = new AtomicBoolean();
      Thread reader = new Thread(() -> {
        while (!stop.get()) {
          lane.snapshot();
          lane.toString();
          lane.snapshot().toString();
        }
      }, "snapshot-reader");
      reader.start();
      try {
        Permit held = take(lane, Priority.NORMAL);
        for (int round = 0; round < 3_000; round++) {
          CompletableFuture<Permit> next = lane.acquireAsync(Priority.NORMAL, LONG);
          assertThat(next).isNotDone();
          held.close();
          held = grantedPromptly(next, "round " + round + ": permit freed, waiter not granted; "
              + lane.snapshot());
        }
        held.close();
      } finally {
        stop.set(true);
        reader.join();
      }
      assertThat(lane.inFlight()).isZero();
      assertThat(lane.snapshot().waiting()).isZero();
    }
  }

  /** Defect 2: a permit released inside an async callback waited for the callback to return. */
  @Nested
  class APermitReleasedInACallbackReachesTheNextWaiterAtOnce {

    @Test
    void whileTheCallbackGoesOnToDoSlowWork() throws Exception {
      Lane lane = fixedLane("callback", 1);
      Permit first = take(lane, Priority.NORMAL);
      CountDownLatch slowWork = new CountDownLatch(1);
      CountDownLatch released = new CountDownLatch(1);
      CompletableFuture<Permit> second = lane.acquireAsync(Priority.NORMAL, LONG);
      second.thenAccept(permit -> {
        permit.close();
        released.countDown();
        awaitQuietly(slowWork); // slow user code, after the permit is back
      });
      CompletableFuture<Permit> third = lane.acquireAsync(Priority.NORMAL, LONG);

      Thread releaser = new Thread(first::close, "releaser"); // runs the callback, and blocks
      releaser.start();
      try {
        assertThat(released.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await("the third waiter granted while the callback still works").atMost(PROMPTLY)
            .until(third::isDone);
        assertThat(third).isCompletedWithValueMatching(p -> p.priority() == Priority.NORMAL);
      } finally {
        slowWork.countDown();
        releaser.join();
      }
      third.join().close();
      assertThat(lane.inFlight()).isZero();
    }

    @Test
    void aLongChainOfCallbacksThatReleaseAtOnceDoesNotOverflowTheStack() {
      Lane lane = Lane.builder("chain").algorithm((w, l) -> l).limits(1, 1, 1).maxWait(LONG)
          .maxQueued(20_000).build();
      Permit first = take(lane, Priority.NORMAL);
      int waiters = 5_000;
      List<CompletableFuture<Permit>> futures = new CopyOnWriteArrayList<>();
      for (int i = 0; i < waiters; i++) {
        CompletableFuture<Permit> f = lane.acquireAsync(Priority.NORMAL, LONG);
        f.thenAccept(Permit::close);
        futures.add(f);
      }
      first.close();
      await().atMost(PROMPTLY).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
      assertThat(futures).allMatch(f -> !f.isCompletedExceptionally());
      assertThat(lane.inFlight()).isZero();
    }
  }

  /** Defect 3: a scheduler that threw left an orphan waiter in the queue. */
  @Nested
  class AThrowingSchedulerLosesNoPermit {

    @Test
    void theCallerGetsAClearFailureAndTheLaneKeepsItsPermits() {
      LaneScheduler broken = (task, delay) -> {
        throw new RejectedExecutionException("executor shut down");
      };
      Lane lane = Lane.builder("broken-scheduler").algorithm((w, l) -> l).limits(1, 1, 1)
          .scheduler(broken).build();
      Permit held = take(lane, Priority.NORMAL);

      CompletableFuture<Permit> future;
      try {
        future = lane.acquireAsync(Priority.NORMAL, LONG);
      } catch (RuntimeException thrown) {
        future = CompletableFuture.failedFuture(thrown);
      }
      assertThat(future).isCompletedExceptionally();
      assertThat(failureOf(future)).hasMessageContaining("broken-scheduler")
          .hasRootCauseInstanceOf(RejectedExecutionException.class);
      assertThat(lane.snapshot().waiting()).isZero();

      held.close();
      assertThat(lane.inFlight()).as("the freed permit went to nobody").isZero();
      take(lane, Priority.NORMAL).close();
    }
  }

  @Nested
  class SmallerThings {

    @Test
    void refusalsFromTryAcquireAllocateNothing() {
      Lane lane = fixedLane("no-garbage", 1);
      Permit held = take(lane, Priority.NORMAL);
      com.sun.management.ThreadMXBean threads =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().getId();
      for (int i = 0; i < 200_000; i++) { // warm up, so the JIT has done its work
        lane.tryAcquire(Priority.NORMAL);
      }
      int refusals = 100_000;
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < refusals; i++) {
        lane.tryAcquire(Priority.NORMAL);
      }
      long perRefusal = (threads.getThreadAllocatedBytes(id) - before) / refusals;
      assertThat(perRefusal).as("bytes allocated per refusal").isLessThan(8);
      assertThat(lane.snapshot().rejected(Priority.NORMAL, Reason.LIMIT_REACHED))
          .isEqualTo(300_000);
      held.close();
    }

    @Test
    void aWindowClosedOnItsSampleCountHoldsThatManySamplesUnderConcurrency() throws Exception {
      // The gate counts a release before the histogram records it; a window must close on what
      // the histogram holds. (Drops count toward minSamples by design; there are none here.)
      SteerableAlgorithm algorithm = new SteerableAlgorithm(64);
      Lane lane = Lane.builder("samples-mt").algorithm(algorithm).limits(64, 64, 64)
          .window(WindowConfig.percentile(0.99).minSamples(50).minDuration(Duration.ZERO)
              .maxDuration(Duration.ofHours(1)))
          .build();
      Thread[] threads = new Thread[8];
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          awaitQuietly(start);
          for (int i = 0; i < 50_000; i++) {
            lane.tryAcquire(Priority.NORMAL).ifPresent(Permit::close);
          }
        });
        threads[t].start();
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertThat(algorithm.windows).isNotEmpty();
      assertThat(algorithm.windows).allSatisfy(w -> assertThat(w.samples()).isGreaterThanOrEqualTo(50));
    }

    @Test
    void aThrowingCancelOfTheSchedulerStopsNoOtherWaiterFromBeingSignalled() {
      LaneScheduler cancelThrows = (task, delay) -> () -> {
        throw new IllegalStateException("cancel failed");
      };
      SteerableAlgorithm algorithm = new SteerableAlgorithm(1);
      Lane lane = SteerableAlgorithm.lane("cancel-throws", algorithm, 1, 1, 4)
          .scheduler(cancelThrows).maxWait(LONG).callbackExecutor(Runnable::run).build();
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> a = lane.acquireAsync(Priority.NORMAL, LONG);
      CompletableFuture<Permit> b = lane.acquireAsync(Priority.NORMAL, LONG);

      algorithm.steer(lane, 3); // room for both waiters in one dispatch

      assertThat(a).isCompleted();
      assertThat(b).isCompleted();
      a.join().close();
      b.join().close();
      held.close();
      assertThat(lane.inFlight()).isZero();
    }

    @Test
    void aThrowingTickerCostsSamplesButNeverAPermitOrAHandOver() {
      AtomicBoolean tickerBroken = new AtomicBoolean();
      Ticker ticker = () -> {
        if (tickerBroken.get()) {
          throw new IllegalStateException("clock broke");
        }
        return System.nanoTime();
      };
      SteerableAlgorithm algorithm = new SteerableAlgorithm(1);
      Lane lane = SteerableAlgorithm.lane("ticker-throws", algorithm, 1, 1, 4).ticker(ticker)
          .maxWait(LONG).build();
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> a = lane.acquireAsync(Priority.NORMAL, LONG);
      CompletableFuture<Permit> b = lane.acquireAsync(Priority.NORMAL, LONG);
      tickerBroken.set(true);

      held.close(); // the release cannot read the clock, and hands over anyway
      assertThat(a).isCompleted();
      assertThat(b).isNotDone();
      a.join().close();
      assertThat(b).isCompleted();
      tickerBroken.set(false);
      b.join().close(); // granted without a clock reading: released without a sample

      assertThat(lane.inFlight()).isZero();
      LaneSnapshot s = lane.snapshot();
      assertThat(s.waiting()).isZero();
      assertThat(s.admitted(Priority.NORMAL)).isEqualTo(3);
      assertThat(s.completed(Priority.NORMAL)).isEqualTo(3);
    }

    @Test
    void aPermitHandedToAFutureCancelledAtThatMomentIsNotCountedAsAdmitted() {
      for (Priority priority : List.of(Priority.NORMAL, Priority.BACKGROUND)) {
        AtomicReference<CompletableFuture<Permit>> victim = new AtomicReference<>();
        // The scheduler's cancel runs as the grant is signalled: cancel the future right then.
        LaneScheduler cancelsTheFuture = (task, delay) -> () -> {
          CompletableFuture<Permit> f = victim.get();
          if (f != null) {
            f.cancel(false);
          }
          return true;
        };
        Lane lane = Lane.builder("cancelled-" + priority).algorithm((w, l) -> l).limits(1, 1, 1)
            .scheduler(cancelsTheFuture).maxWait(LONG).build();
        Permit held = take(lane, Priority.NORMAL);
        CompletableFuture<Permit> waiter = lane.acquireAsync(priority, LONG);
        victim.set(waiter);
        held.close();

        assertThat(waiter).isCancelled();
        assertThat(lane.inFlight()).isZero();
        LaneSnapshot s = lane.snapshot();
        assertThat(s.admitted(priority)).as("%s admitted", priority)
            .isEqualTo(priority == Priority.NORMAL ? 1 : 0);
        assertThat(s.ignored(priority)).as("%s ignored", priority).isZero();
      }
    }

    @Test
    void aSlowTimeoutCallbackOfOneLaneDelaysNoOtherLanesTimeouts() throws Exception {
      Lane slow = fixedLane("slow-callback", 1);
      Lane other = fixedLane("other", 1);
      Permit slowHeld = take(slow, Priority.NORMAL);
      Permit otherHeld = take(other, Priority.NORMAL);
      CountDownLatch callbackRunning = new CountDownLatch(1);
      CountDownLatch unblock = new CountDownLatch(1);
      Thread testThread = Thread.currentThread();
      // Long enough that the callback is attached before the timeout fires, even on a slow machine.
      slow.acquireAsync(Priority.NORMAL, Duration.ofMillis(300)).whenComplete((p, f) -> {
        callbackRunning.countDown();
        if (Thread.currentThread() != testThread) {
          awaitQuietly(unblock); // a user callback that blocks the thread it runs on
        }
      });
      try {
        assertThat(callbackRunning.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Permit> timesOut = other.acquireAsync(Priority.NORMAL,
            Duration.ofMillis(1));
        await("the other lane's timeout fires").atMost(PROMPTLY).until(timesOut::isDone);
        assertThat(((LaneRejectedException) failureOf(timesOut)).reason())
            .isEqualTo(Reason.TIMEOUT);
      } finally {
        unblock.countDown();
      }
      slowHeld.close();
      otherHeld.close();
    }
  }

  private static Permit grantedPromptly(CompletableFuture<Permit> future, String failure)
      throws Exception {
    try {
      return future.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(failure);
    }
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
