package dev.lanes.netflix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.Limiter.Listener;
import com.netflix.concurrency.limits.limit.SettableLimit;
import com.netflix.concurrency.limits.limiter.BlockingLimiter;
import com.netflix.concurrency.limits.limiter.LifoBlockingLimiter;
import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What Netflix's limiters promise their callers (concurrency-limits 0.5.4), held against a lane
 * behind {@link NetflixLimits#asLimiter}: on its own, and wrapped in Netflix's own
 * {@code BlockingLimiter} and {@code LifoBlockingLimiter}, with the limit set through a Netflix
 * {@code SettableLimit} running in the lane.
 */
class NetflixLimiterBehaviourTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A lane that holds {@code limit}. */
  private static Lane fixed(int limit) {
    return Lane.builder("fixed").algorithm(FixedLimit.of(limit)).limits(1, limit, limit).build();
  }

  /** A lane whose limit a Netflix {@code SettableLimit} sets, from 1 to 1,000. */
  private static Lane settable(SettableLimit limit) {
    return Lane.builder("settable").algorithm(NetflixLimits.asAlgorithm(limit))
        .limits(1, limit.getLimit(), 1_000).build();
  }

  private static List<Listener> acquire(Limiter<String> limiter, int n, String context) {
    List<Listener> listeners = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      listeners.add(limiter.acquire(context).orElseThrow(
          () -> new AssertionError("no slot for call " + listeners.size())));
    }
    return listeners;
  }

  /** Waits until {@code thread} is parked in a timed wait: inside the limiter's backlog. */
  private static void awaitParked(Thread thread) {
    Awaitility.await().atMost(PATIENCE)
        .until(() -> thread.getState() == Thread.State.TIMED_WAITING);
  }

  // ---- the limiter on its own: SimpleLimiter's behaviour ----

  @Test
  void callsAreAdmittedUpToTheLimitAndThenRefusedWithoutWaiting() {
    Lane lane = fixed(10);
    Limiter<String> limiter = NetflixLimits.asLimiter(lane);

    acquire(limiter, 10, "live");
    assertThat(limiter.acquire("live")).isEmpty();
    assertThat(lane.inFlight()).isEqualTo(10);
  }

  @Test
  void aReleasedSlotIsFreeForTheNextCall() {
    Lane lane = fixed(10);
    Limiter<String> limiter = NetflixLimits.asLimiter(lane);
    List<Listener> held = acquire(limiter, 10, "live");
    assertThat(limiter.acquire("live")).isEmpty();

    held.get(0).onSuccess();
    assertThat(lane.inFlight()).isEqualTo(9);
    assertThat(limiter.acquire("live")).isPresent();
    assertThat(lane.inFlight()).isEqualTo(10);
  }

  @Test
  void withoutAPriorityFunctionNoContextBypassesTheLimit() {
    Limiter<String> limiter = NetflixLimits.asLimiter(fixed(10));
    acquire(limiter, 10, "live");
    assertThat(limiter.acquire("live")).isEmpty();
    assertThat(limiter.acquire("admin")).isEmpty();
  }

  @Test
  void criticalContextsBypassTheLimitAndUnlikeNetflixTakeASlotAndGiveASample() {
    Counting counting = new Counting();
    Lane lane = Lane.builder("bypass").algorithm(counting).limits(1, 10, 10).build();
    Limiter<String> limiter = NetflixLimits.asLimiter(lane,
        context -> context.equals("admin") ? Priority.CRITICAL : Priority.NORMAL);

    acquire(limiter, 10, "live");
    List<Listener> admins = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.acquire("live")).isEmpty();
      admins.add(limiter.acquire("admin").orElseThrow());
    }

    // Netflix's limiter would show 10 in flight and learn nothing from the admin calls.
    assertThat(lane.inFlight()).isEqualTo(20);
    admins.forEach(Listener::onSuccess);
    assertThat(counting.samples).hasValue(10);
    assertThat(lane.snapshot().bypassed(Priority.CRITICAL)).isEqualTo(10);
    assertThat(lane.inFlight()).isEqualTo(10);
  }

  @Test
  void eachOutcomeReachesTheAlgorithmOnceAndASecondReleaseChangesNothing() {
    Counting counting = new Counting();
    Lane lane = Lane.builder("outcomes").algorithm(counting).limits(1, 3, 3).build();
    Limiter<String> limiter = NetflixLimits.asLimiter(lane);
    List<Listener> held = acquire(limiter, 3, "live");

    held.get(0).onSuccess();
    held.get(1).onDropped();
    held.get(2).onIgnore();
    held.forEach(Listener::onSuccess); // all released already: nothing happens
    held.forEach(Listener::onDropped);

    assertThat(counting.samples).as("success and drop are samples; ignore is not").hasValue(2);
    assertThat(counting.drops).hasValue(1);
    assertThat(lane.inFlight()).isZero();
    assertThat(acquire(limiter, 3, "live")).as("no slot was lost or made up").hasSize(3);
    assertThat(limiter.acquire("live")).isEmpty();
  }

  @Test
  void concurrentCallersNeverOvershootAndEveryAttemptIsAnsweredOnce() throws Exception {
    int limit = 10;
    int callers = 16;
    int attempts = 2_000;
    Lane lane = fixed(limit);
    Limiter<String> limiter = NetflixLimits.asLimiter(lane);
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(callers);

    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      running.add(threads.submit(() -> {
        start.await();
        for (int i = 0; i < attempts; i++) {
          Optional<Listener> listener = limiter.acquire("live");
          if (listener.isPresent()) {
            admitted.incrementAndGet();
            peak.accumulateAndGet(lane.inFlight(), Math::max);
            Thread.yield();
            listener.get().onSuccess();
          } else {
            refused.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : running) {
      f.get(120, TimeUnit.SECONDS);
    }

    assertThat(peak.get()).isLessThanOrEqualTo(limit);
    assertThat(admitted.get() + refused.get()).isEqualTo(callers * attempts);
    assertThat(lane.inFlight()).isZero();
  }

  // ---- wrapped in Netflix's BlockingLimiter ----

  @Test
  void aBlockingLimiterStillAdmitsACallAfterTheLimitFellAndSlotsFreed() {
    SettableLimit limit = SettableLimit.startingAt(10);
    Lane lane = settable(limit);
    Limiter<String> limiter = BlockingLimiter.wrap(NetflixLimits.asLimiter(lane));
    List<Listener> held = acquire(limiter, 10, "live");

    limit.setLimit(1);
    assertThat(lane.limit()).as("the new limit reached the lane at once").isEqualTo(1);
    held.forEach(Listener::onSuccess);

    Optional<Listener> next = assertTimeoutPreemptively(PATIENCE, () -> limiter.acquire("live"));
    assertThat(next).isPresent();
    assertThat(lane.inFlight()).isEqualTo(1);
  }

  @Test
  void aBlockingLimiterHandsOneSlotToManyBlockedThreadsInTurn() throws Exception {
    Lane lane = settable(SettableLimit.startingAt(1));
    Limiter<String> limiter = BlockingLimiter.wrap(NetflixLimits.asLimiter(lane));
    int callers = 8;
    CyclicBarrier together = new CyclicBarrier(callers);
    AtomicInteger peak = new AtomicInteger();

    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      running.add(threads.submit(() -> {
        together.await();
        Listener listener = limiter.acquire("live").orElseThrow();
        peak.accumulateAndGet(lane.inFlight(), Math::max);
        listener.onSuccess();
        return null;
      }));
    }
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertThat(peak).hasValue(1);
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aBlockingLimiterGivesUpAfterItsTimeout() {
    Limiter<String> limiter = BlockingLimiter.wrap(NetflixLimits.asLimiter(fixed(2)),
        Duration.ofMillis(50));
    acquire(limiter, 2, "live");
    assertThat(limiter.acquire("live")).isEmpty();
  }

  // ---- wrapped in Netflix's LifoBlockingLimiter ----

  private static LifoBlockingLimiter<String> lifo(Lane lane, int backlog, Duration timeout) {
    return LifoBlockingLimiter.newBuilder(NetflixLimits.<String>asLimiter(lane))
        .backlogSize(backlog)
        .backlogTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }

  @Test
  void aLifoLimiterTimesOutWhenTheLaneStaysFull() {
    Limiter<String> limiter = lifo(fixed(4), 10, Duration.ofMillis(50));
    acquire(limiter, 4, "live");
    assertThat(limiter.acquire("live")).isEmpty();
  }

  @Test
  void aLifoLimiterHandsAReleasedSlotToItsWaiter() throws Exception {
    Lane lane = fixed(4);
    Limiter<String> limiter = lifo(lane, 10, PATIENCE);
    List<Listener> held = acquire(limiter, 4, "live");
    CountDownLatch parked = new CountDownLatch(1);
    Thread[] waiter = new Thread[1];
    Future<Optional<Listener>> next = threads.submit(() -> {
      waiter[0] = Thread.currentThread();
      parked.countDown();
      return limiter.acquire("live");
    });
    parked.await();
    awaitParked(waiter[0]);

    held.get(0).onSuccess();
    assertThat(next.get(30, TimeUnit.SECONDS)).isPresent();
    assertThat(lane.inFlight()).isEqualTo(4);
  }

  @Test
  void aLifoLimiterWithAFullBacklogRefusesAtOnce() throws Exception {
    Lane lane = fixed(4);
    Limiter<String> limiter = lifo(lane, 2, Duration.ofHours(1));
    acquire(limiter, 4, "live");
    for (int i = 0; i < 2; i++) {
      CountDownLatch started = new CountDownLatch(1);
      Thread[] waiter = new Thread[1];
      threads.submit(() -> {
        waiter[0] = Thread.currentThread();
        started.countDown();
        return limiter.acquire("live");
      });
      started.await();
      awaitParked(waiter[0]);
    }
    // Were it queued, this call would wait for an hour.
    assertThat(assertTimeoutPreemptively(PATIENCE, () -> limiter.acquire("live"))).isEmpty();
  }

  @Test
  void aLifoLimiterAdmitsTheNextCallAtOnceWhenTheLimitRises() {
    SettableLimit limit = SettableLimit.startingAt(4);
    Lane lane = settable(limit);
    Limiter<String> limiter = lifo(lane, 10, Duration.ofHours(1));
    acquire(limiter, 4, "live");

    limit.setLimit(5);
    Optional<Listener> next = assertTimeoutPreemptively(PATIENCE, () -> limiter.acquire("live"));
    assertThat(next).isPresent();
    assertThat(lane.inFlight()).isEqualTo(5);
  }

  @Test
  void aLifoLimiterHoldsTheNextCallWhenTheLimitFell() {
    SettableLimit limit = SettableLimit.startingAt(4);
    Lane lane = settable(limit);
    Limiter<String> limiter = lifo(lane, 10, Duration.ofMillis(50));
    List<Listener> held = acquire(limiter, 4, "live");

    limit.setLimit(3);
    held.get(0).onSuccess();
    assertThat(limiter.acquire("live")).as("3 in flight at a limit of 3").isEmpty();
    assertThat(lane.inFlight()).isEqualTo(3);
  }

  @Test
  void aLifoLimiterServesItsNewestWaiterFirst() throws Exception {
    Lane lane = fixed(4);
    Limiter<String> limiter = lifo(lane, 10, PATIENCE);
    List<Listener> held = acquire(limiter, 4, "live");
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Future<?>> waiters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int index = i;
      CountDownLatch started = new CountDownLatch(1);
      Thread[] waiter = new Thread[1];
      waiters.add(threads.submit(() -> {
        waiter[0] = Thread.currentThread();
        started.countDown();
        Listener listener = limiter.acquire("live").orElseThrow();
        order.add(index);
        listener.onSuccess(); // hands the slot to the next newest
        return null;
      }));
      started.await();
      awaitParked(waiter[0]);
    }

    held.get(0).onSuccess();
    for (Future<?> w : waiters) {
      w.get(30, TimeUnit.SECONDS);
    }
    assertThat(order).containsExactly(4, 3, 2, 1, 0);
    held.subList(1, 4).forEach(Listener::onSuccess);
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aLifoLimiterLosesNoSlotWhenATimeoutRacesARelease() throws Exception {
    Lane lane = settable(SettableLimit.startingAt(4));
    Limiter<String> limiter = lifo(lane, 1_000, Duration.ofMillis(10));
    acquire(limiter, 3, "live");

    for (int round = 0; round < 10; round++) {
      Listener last = limiter.acquire("live").orElseThrow();
      AtomicBoolean released = new AtomicBoolean();
      List<Future<?>> racers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        racers.add(threads.submit(() -> {
          Optional<Listener> listener = limiter.acquire("live");
          if (listener.isPresent()) {
            listener.get().onSuccess();
          } else if (released.compareAndSet(false, true)) {
            last.onSuccess(); // frees a slot just as the others are timing out
          }
          return null;
        }));
      }
      for (Future<?> racer : racers) {
        racer.get(30, TimeUnit.SECONDS);
      }
      if (released.compareAndSet(false, true)) {
        last.onSuccess();
      }
      assertThat(lane.inFlight()).as("round " + round).isEqualTo(3);
    }
  }

  /** Keeps the limit and counts what the lane tells it. */
  private static final class Counting implements LimitAlgorithm {
    final AtomicInteger samples = new AtomicInteger();
    final AtomicInteger drops = new AtomicInteger();

    @Override
    public void onSample(long startNanos, long rttNanos, int inFlight, boolean dropped) {
      samples.incrementAndGet();
      if (dropped) {
        drops.incrementAndGet();
      }
    }

    @Override
    public int update(WindowSummary window, int currentLimit) {
      return currentLimit;
    }
  }
}
