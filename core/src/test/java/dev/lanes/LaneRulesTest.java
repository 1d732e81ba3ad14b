package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.LimitAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One focused group of tests for each of the first ten rules of a lane in DESIGN.md. Rule 11
 * (readers and user code never delay a hand-over) is held by {@link LaneHardeningTest},
 * {@code review2.SecondReleaseDuringCallbackTest} and the readers and callbacks of
 * {@link LaneStressTest}; the adaptive queue of rule 5 by {@link AdaptiveQueueTest}.
 */
class LaneRulesTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private static Lane fixedLane(int limit) {
    return Lane.builder("fixed").algorithm((w, l) -> l).limits(1, limit, limit)
        .maxWait(LONG).build();
  }

  private static Permit take(Lane lane, Priority priority) {
    return lane.tryAcquire(priority).orElseThrow(() -> new AssertionError(
        priority + " refused: " + lane.snapshot()));
  }

  private static Reason reasonOf(CompletableFuture<Permit> future) {
    assertThat(future).isCompletedExceptionally();
    Throwable cause = future.handle((p, t) -> t).join();
    if (cause instanceof CompletionException) {
      cause = cause.getCause();
    }
    return ((LaneRejectedException) cause).reason();
  }

  @Nested
  class Rule1_LimitStaysWithinMinAndMax {

    @Test
    void clampsWhatTheAlgorithmProposes() {
      SteerableAlgorithm algorithm = new SteerableAlgorithm(4);
      Lane lane = SteerableAlgorithm.lane("clamp", algorithm, 2, 4, 10).build();

      algorithm.steer(lane, 1_000);
      assertThat(lane.limit()).isEqualTo(10);
      algorithm.steer(lane, -5);
      assertThat(lane.limit()).isEqualTo(2);
      algorithm.steer(lane, 7);
      assertThat(lane.limit()).isEqualTo(7);
    }

    @Test
    void refusesAMinimumBelowOne() {
      assertThatThrownBy(() -> Lane.builder("x").algorithm((w, l) -> l).limits(0, 1, 4).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("min")
          .hasMessageContaining("0");
    }
  }

  @Nested
  class Rule2_NormalOnlyBelowTheLimit {

    @Test
    void admitsUpToTheLimitAndNoFurther() {
      Lane lane = fixedLane(3);
      List<Permit> permits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        permits.add(take(lane, Priority.NORMAL));
      }
      assertThat(lane.tryAcquire(Priority.NORMAL)).isEmpty();
      assertThat(lane.inFlight()).isEqualTo(3);

      permits.remove(0).close();
      assertThat(lane.tryAcquire(Priority.NORMAL)).isPresent();
      assertThat(lane.snapshot().rejected(Priority.NORMAL, Reason.LIMIT_REACHED)).isEqualTo(1);
    }
  }

  @Nested
  class Rule3_BackgroundTakesOnlySlack {

    @Test
    void neverTakesTheReserve() {
      Lane lane = Lane.builder("bg").algorithm((w, l) -> l).limits(1, 4, 4)
          .backgroundReserve(1).build();
      take(lane, Priority.BACKGROUND);
      take(lane, Priority.BACKGROUND);
      take(lane, Priority.BACKGROUND);
      assertThat(lane.tryAcquire(Priority.BACKGROUND)).isEmpty();
      assertThat(lane.tryAcquire(Priority.NORMAL)).isPresent();
    }

    @Test
    void usesEverythingButTheReserveOnAnIdleLane() {
      Lane lane = Lane.builder("bg").algorithm((w, l) -> l).limits(1, 16, 16)
          .backgroundReserve(2).build();
      int admitted = 0;
      while (lane.tryAcquire(Priority.BACKGROUND).isPresent()) {
        admitted++;
      }
      assertThat(admitted).isEqualTo(14);
    }

    @Test
    void waitsWhileANormalCallWaits() {
      Lane lane = fixedLane(2);
      Permit first = take(lane, Priority.NORMAL);
      take(lane, Priority.NORMAL);
      CompletableFuture<Permit> normal = lane.acquireAsync(Priority.NORMAL, LONG);
      CompletableFuture<Permit> background = lane.acquireAsync(Priority.BACKGROUND, LONG);

      first.close();
      assertThat(normal).isCompletedWithValueMatching(p -> p.priority() == Priority.NORMAL);
      assertThat(background).isNotDone();
      assertThat(lane.tryAcquire(Priority.BACKGROUND)).isEmpty();

      normal.join().close();
      assertThat(background).isCompleted();
    }
  }

  @Nested
  class Rule4_CriticalBypassesTheLimit {

    @Test
    void isAdmittedAboveTheLimitUpToTheCeilingAndCounts() {
      Lane lane = Lane.builder("crit").algorithm((w, l) -> l).limits(1, 2, 2)
          .criticalCeiling(4).build();
      take(lane, Priority.NORMAL);
      take(lane, Priority.NORMAL);
      Permit c1 = take(lane, Priority.CRITICAL);
      take(lane, Priority.CRITICAL);
      assertThat(lane.inFlight()).isEqualTo(4);

      Optional<Permit> refused = lane.tryAcquire(Priority.CRITICAL);
      assertThat(refused).isEmpty();
      assertThat(lane.snapshot().rejected(Priority.CRITICAL, Reason.CEILING)).isEqualTo(1);
      assertThat(lane.snapshot().bypassed(Priority.CRITICAL)).isEqualTo(2);
      assertThatThrownBy(() -> lane.acquire(Priority.CRITICAL, LONG))
          .isInstanceOfSatisfying(LaneRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.CEILING));

      c1.close();
      assertThat(lane.inFlight()).isEqualTo(3);
    }

    @Test
    void neverWaitsBehindNormalWaitersAndFeedsTheWindow() {
      SteerableAlgorithm algorithm = new SteerableAlgorithm(1);
      Lane lane = SteerableAlgorithm.lane("crit", algorithm, 1, 1, 1).build();
      take(lane, Priority.NORMAL);
      CompletableFuture<Permit> waiting = lane.acquireAsync(Priority.NORMAL, LONG);
      assertThat(waiting).isNotDone();

      take(lane, Priority.CRITICAL).close();
      assertThat(algorithm.windows).hasSize(1);
      assertThat(algorithm.windows.get(0).samples()).isEqualTo(1);
      assertThat(algorithm.windows.get(0).maxInFlight()).isEqualTo(2);
    }
  }

  @Nested
  class Rule5_FreedPermitsGoToWaitersInOrder {

    @Test
    void normalBeforeBackgroundAndFifoWithinAPriority() {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> bg1 = lane.acquireAsync(Priority.BACKGROUND, LONG);
      CompletableFuture<Permit> n1 = lane.acquireAsync(Priority.NORMAL, LONG);
      CompletableFuture<Permit> n2 = lane.acquireAsync(Priority.NORMAL, LONG);

      List<CompletableFuture<Permit>> order = List.of(n1, n2, bg1);
      held.close();
      for (int i = 0; i < order.size(); i++) {
        for (int j = 0; j < order.size(); j++) {
          assertThat(order.get(j).isDone()).as("waiter %d after %d releases", j, i + 1)
              .isEqualTo(j <= i);
        }
        order.get(i).join().close();
      }
    }

    @Test
    void lifoServesTheNewestWaiterFirst() {
      Lane lane = Lane.builder("lifo").algorithm((w, l) -> l).limits(1, 1, 1)
          .queueOrder(QueueOrder.LIFO).build();
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> older = lane.acquireAsync(Priority.NORMAL, LONG);
      CompletableFuture<Permit> newer = lane.acquireAsync(Priority.NORMAL, LONG);
      held.close();
      assertThat(newer).isCompleted();
      assertThat(older).isNotDone();
    }

    @Test
    void noBargingWhileSomeoneWaits() {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
      held.close();
      // The permit went to the waiter; a newcomer finds none.
      assertThat(waiter).isCompleted();
      assertThat(lane.tryAcquire(Priority.NORMAL)).isEmpty();
      assertThat(lane.inFlight()).isEqualTo(1);
    }

    @Test
    void handOverSurvivesATimeoutAtTheSameMoment() throws Exception {
      // Race a release against the waiter's own timeout, many times, from two threads. Whoever
      // wins, the permit ends up either with the waiter or back in the lane, never lost.
      ManualScheduler scheduler = new ManualScheduler();
      Lane lane = Lane.builder("race").algorithm((w, l) -> l).limits(1, 1, 1)
          .scheduler(scheduler).build();
      for (int round = 0; round < 2_000; round++) {
        Permit held = take(lane, Priority.NORMAL);
        CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
        CountDownLatch go = new CountDownLatch(1);
        Thread releaser = new Thread(() -> {
          awaitLatch(go);
          held.close();
        });
        releaser.start();
        go.countDown();
        scheduler.fireAll();
        releaser.join();
        if (!waiter.isCompletedExceptionally()) {
          waiter.join().close();
        }
        assertThat(lane.inFlight()).as("round %d", round).isZero();
      }
    }
  }

  @Nested
  class Rule6_NormalEvictsTheNewestBackgroundWaiter {

    @Test
    void evictsBeforeRefusing() {
      Lane lane = Lane.builder("evict").algorithm((w, l) -> l).limits(1, 1, 1)
          .maxQueued(2).maxWait(LONG).build();
      take(lane, Priority.NORMAL);
      CompletableFuture<Permit> oldBg = lane.acquireAsync(Priority.BACKGROUND, LONG);
      CompletableFuture<Permit> newBg = lane.acquireAsync(Priority.BACKGROUND, LONG);

      CompletableFuture<Permit> normal = lane.acquireAsync(Priority.NORMAL, LONG);
      assertThat(reasonOf(newBg)).isEqualTo(Reason.EVICTED);
      assertThat(oldBg).isNotDone();
      assertThat(normal).isNotDone();

      lane.acquireAsync(Priority.NORMAL, LONG);
      assertThat(reasonOf(oldBg)).isEqualTo(Reason.EVICTED);

      assertThat(reasonOf(lane.acquireAsync(Priority.NORMAL, LONG))).isEqualTo(Reason.QUEUE_FULL);
      assertThat(reasonOf(lane.acquireAsync(Priority.BACKGROUND, LONG)))
          .isEqualTo(Reason.QUEUE_FULL);
      assertThat(lane.snapshot().rejected(Priority.BACKGROUND, Reason.EVICTED)).isEqualTo(2);
    }
  }

  @Nested
  class Rule7_LimitChangesNeverRevoke {

    @Test
    void loweringWaitsForInFlightToDrain() {
      SteerableAlgorithm algorithm = new SteerableAlgorithm(4);
      Lane lane = SteerableAlgorithm.lane("lower", algorithm, 1, 4, 8).build();
      List<Permit> permits = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        permits.add(take(lane, Priority.NORMAL));
      }
      algorithm.steer(lane, 2);
      assertThat(lane.limit()).isEqualTo(2);
      assertThat(lane.inFlight()).isEqualTo(4);

      permits.remove(0).close();
      permits.remove(0).close();
      assertThat(lane.tryAcquire(Priority.NORMAL)).as("in flight 2 of limit 2").isEmpty();
      permits.remove(0).close();
      assertThat(lane.tryAcquire(Priority.NORMAL)).isPresent();
    }

    @Test
    void raisingWakesAsManyWaitersAsThereIsRoom() {
      SteerableAlgorithm algorithm = new SteerableAlgorithm(1);
      Lane lane = SteerableAlgorithm.lane("raise", algorithm, 1, 1, 8).maxWait(LONG).build();
      take(lane, Priority.NORMAL);
      List<CompletableFuture<Permit>> waiters = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        waiters.add(lane.acquireAsync(Priority.NORMAL, LONG));
      }
      algorithm.steer(lane, 4);
      assertThat(lane.inFlight()).as("three permits handed over at once").isEqualTo(4);
      // The first is told on this thread; the others on the lane's callback executor, so that
      // no caller's callback holds up another's permit.
      await().atMost(LONG).until(() -> waiters.stream().filter(CompletableFuture::isDone).count()
          == 3);
      assertThat(lane.inFlight()).isEqualTo(4);
    }
  }

  @Nested
  class Rule8_EveryPermitIsReleasedExactlyOnce {

    @Test
    void aSecondReleaseChangesNothing() {
      Lane lane = fixedLane(2);
      Permit permit = take(lane, Priority.NORMAL);
      take(lane, Priority.NORMAL);
      permit.close();
      permit.close();
      permit.dropped();
      permit.ignore();
      assertThat(lane.inFlight()).isEqualTo(1);
      assertThat(lane.snapshot().dropped(Priority.NORMAL)).isZero();
    }

    @Test
    void aTimedOutWaiterHoldsNothing() {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      assertThatThrownBy(() -> lane.acquire(Priority.NORMAL, Duration.ofMillis(20)))
          .isInstanceOfSatisfying(LaneRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
      held.close();
      assertThat(lane.inFlight()).isZero();
      assertThat(lane.snapshot().waiting()).isZero();
      assertThat(lane.snapshot().timedOut(Priority.NORMAL)).isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterHoldsNothing() throws Exception {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          lane.acquire(Priority.NORMAL, LONG).close();
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      waiter.start();
      await().until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
      waiter.interrupt();
      waiter.join();
      assertThat(failure.get()).isInstanceOf(InterruptedException.class);
      assertThat(lane.snapshot().waiting()).isZero();
      held.close();
      assertThat(lane.inFlight()).isZero();
    }

    @Test
    void aCancelledAsyncWaiterHoldsNothing() {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
      waiter.cancel(false);
      assertThat(lane.snapshot().waiting()).isZero();
      held.close();
      assertThat(lane.inFlight()).isZero();
    }

    @Test
    void anAlreadyInterruptedThreadIsRefusedWithoutAPermit() {
      Lane lane = fixedLane(1);
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> lane.acquire(Priority.NORMAL, LONG))
          .isInstanceOf(InterruptedException.class);
      assertThat(lane.inFlight()).isZero();
    }
  }

  @Nested
  class Rule9_AThrowingAlgorithmKeepsTheLimit {

    @Test
    void keepsTheLastLimitReportsOnceAndKeepsWorking() {
      List<Throwable> reported = new CopyOnWriteArrayList<>();
      LimitAlgorithm broken = (window, limit) -> {
        throw new IllegalStateException("boom");
      };
      Lane lane = Lane.builder("broken").algorithm(broken).limits(1, 3, 10)
          .window(SteerableAlgorithm.everyRelease())
          .listener(new LaneListener() {
            @Override
            public void onAlgorithmError(Lane l, Throwable error) {
              reported.add(error);
            }
          })
          .build();
      for (int i = 0; i < 10; i++) {
        take(lane, Priority.NORMAL).close();
      }
      assertThat(lane.limit()).isEqualTo(3);
      assertThat(reported).hasSize(1).first().hasFieldOrPropertyWithValue("message", "boom");
      assertThat(lane.inFlight()).isZero();
    }
  }

  @Nested
  class Rule10_CloseFailsWaitersAndRefusesNewcomers {

    @Test
    void closeFailsWaitersRefusesNewAcquiresAndStillTakesReleases() throws Exception {
      Lane lane = fixedLane(1);
      Permit held = take(lane, Priority.NORMAL);
      CompletableFuture<Permit> asyncWaiter = lane.acquireAsync(Priority.BACKGROUND, LONG);
      AtomicReference<Throwable> blocked = new AtomicReference<>();
      Thread thread = new Thread(() -> {
        try {
          lane.acquire(Priority.NORMAL, LONG);
        } catch (Throwable t) {
          blocked.set(t);
        }
      });
      thread.start();
      await().until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);

      lane.close();
      thread.join();
      assertThat(reasonOf(asyncWaiter)).isEqualTo(Reason.CLOSED);
      assertThat(blocked.get()).isInstanceOfSatisfying(LaneRejectedException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
      assertThat(lane.tryAcquire(Priority.CRITICAL)).isEmpty();
      assertThatThrownBy(() -> lane.acquire(Priority.NORMAL, LONG))
          .isInstanceOfSatisfying(LaneRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
      assertThat(reasonOf(lane.acquireAsync(Priority.NORMAL, LONG))).isEqualTo(Reason.CLOSED);

      held.close();
      assertThat(lane.inFlight()).isZero();
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
