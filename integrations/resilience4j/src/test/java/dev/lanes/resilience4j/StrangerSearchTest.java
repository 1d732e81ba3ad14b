package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A thread that holds no permit and calls {@code onComplete()} searches the other threads' stacks.
 * A permit pushed onto a stack it has already passed is as much its to take as one further on: when
 * the one further on is taken meanwhile, the search must not come back empty while a permit is
 * out, or that {@code onComplete()} does nothing and a permit stays out for good. (CI found it, in
 * a thread-per-request hammer, before the search learned to look again.)
 *
 * <p>Each round: the test's thread B holds a permit. Stranger T searches, starting with A's empty
 * stack and then 200 idle threads' stacks before B's; meanwhile A takes a permit, and only then B
 * gives back its own. A permit was out at every moment of T's search, so T must release one, and
 * in flight is 0 after every round.
 */
class StrangerSearchTest {

  private static final int ROUNDS = 5_000;
  private static final int IDLE_THREADS = 200;

  @Test
  void aSearchThatMissesAPermitPushedBehindItLooksAgain() throws Exception {
    Lane lane = Lane.builder("stranger-search").algorithm("fixed").limits(8, 8, 8)
        .maxWait(Duration.ofSeconds(30)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    CyclicBarrier start = new CyclicBarrier(3);
    CyclicBarrier end = new CyclicBarrier(3);
    AtomicReference<CountDownLatch> aHolds = new AtomicReference<>(new CountDownLatch(1));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();

    Thread a = rounds(failure, () -> { // first in the book, then takes a permit each round
      bulkhead.acquirePermission();
      bulkhead.onComplete();
    }, () -> {
      start.await();
      for (int spin = 0; spin < 200; spin++) {
        Thread.onSpinWait(); // let T pass this stack first, most rounds
      }
      bulkhead.acquirePermission();
      aHolds.get().countDown();
      end.await();
    });
    threads.add(a);
    a.start();
    while (!registered(bulkhead, 1)) {
      Thread.onSpinWait();
    }
    CountDownLatch idle = new CountDownLatch(1);
    for (int i = 0; i < IDLE_THREADS; i++) { // registered stacks, empty, of live threads
      Thread t = rounds(failure, () -> {
        bulkhead.acquirePermission();
        bulkhead.onComplete();
        idle.await();
      }, () -> { });
      threads.add(t);
      t.start();
    }
    while (!registered(bulkhead, 1 + IDLE_THREADS)) {
      Thread.onSpinWait();
    }
    Thread stranger = rounds(failure, () -> { }, () -> {
      start.await();
      bulkhead.onComplete();
      end.await();
    });
    threads.add(stranger);
    stranger.start();
    try {
      for (int round = 0; round < ROUNDS; round++) {
        bulkhead.acquirePermission(); // B's permit (this thread's): out before T searches
        start.await(30, TimeUnit.SECONDS);
        aHolds.get().await();
        bulkhead.onComplete(); // B's own, once A holds one
        end.await(30, TimeUnit.SECONDS);
        aHolds.set(new CountDownLatch(1));
        assertThat(lane.inFlight()).as("in flight after round %d", round).isZero();
      }
    } finally {
      idle.countDown();
      threads.forEach(Thread::interrupt);
    }
    assertThat(failure.get()).isNull();
  }

  private static boolean registered(LaneBulkhead bulkhead, int stacks) throws Exception {
    java.lang.reflect.Field held = LaneBulkhead.class.getDeclaredField("held");
    held.setAccessible(true);
    java.lang.reflect.Field all = HeldPermits.class.getDeclaredField("all");
    all.setAccessible(true);
    return ((java.util.Collection<?>) all.get(held.get(bulkhead))).size() >= stacks;
  }

  interface Step {
    void run() throws Exception;
  }

  /** A thread that runs {@code first} once, then {@code round} until interrupted. */
  private static Thread rounds(AtomicReference<Throwable> failure, Step first, Step round) {
    Thread t = new Thread(() -> {
      try {
        first.run();
        while (!Thread.currentThread().isInterrupted()) {
          round.run();
        }
      } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
        // the test is over
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    });
    t.setDaemon(true);
    return t;
  }
}
