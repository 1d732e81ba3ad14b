package dev.lanes.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Rule 8 for {@code acquireAsync}, hammered: callers cancel, complete, fail and time out their
 * own futures (only through the methods {@code PermitFuture} claims for: {@code cancel},
 * {@code complete}, {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout}),
 * from many threads, racing hand-overs, the lane's own timeouts and {@code close()}. A caller that
 * loses the race waits for the future ({@code join}, which the contract allows) and releases the
 * permit it holds. At rest: every future is done, in flight is 0, and the NORMAL totals add up;
 * a scraper checks meanwhile that no total ever falls.
 */
class AsyncWaitersRacingTheCallerTest {

  private static final int ROUNDS = 60;
  private static final int WAITERS = 200;

  @Test
  void noPermitLeaksAndNoFutureIsLeftIncomplete() throws Exception {
    long seed = System.nanoTime();
    System.out.println("AsyncWaitersRacingTheCallerTest seed " + seed);
    Random rounds = new Random(seed);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        runRound(pool, rounds.nextLong(), round % 2 == 0 ? QueueOrder.FIFO : QueueOrder.ADAPTIVE);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void runRound(ExecutorService pool, long seed, QueueOrder order)
      throws Exception {
    Lane lane = Lane.builder("async-race").algorithm((w, l) -> l).limits(3, 3, 3)
        .queueOrder(order).maxQueued(WAITERS).maxWait(Duration.ofSeconds(5)).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> fell = new AtomicReference<>();
    Future<?> scraper = pool.submit(() -> {
      long admitted = 0;
      long completed = 0;
      while (!stop.get()) {
        LaneSnapshot s = lane.snapshot();
        long a = s.admitted(Priority.NORMAL);
        long c = s.completed(Priority.NORMAL);
        if (a < admitted || c < completed) {
          fell.compareAndSet(null, "admitted " + admitted + "->" + a + ", completed " + completed
              + "->" + c);
        }
        admitted = a;
        completed = c;
      }
    });
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> callers = new ArrayList<>();
    List<CompletableFuture<Permit>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long threadSeed = seed + t;
      callers.add(pool.submit(() -> {
        Random random = new Random(threadSeed);
        go.await();
        for (int i = 0; i < WAITERS / 4; i++) {
          CompletableFuture<Permit> f = lane.acquireAsync(Priority.NORMAL,
              Duration.ofMillis(random.nextInt(3)));
          synchronized (futures) {
            futures.add(f);
          }
          switch (random.nextInt(7)) {
            case 0 -> f.cancel(random.nextBoolean());
            case 1 -> f.complete(null);
            case 2 -> f.completeExceptionally(new IllegalStateException("caller gave up"));
            case 3 -> f.orTimeout(random.nextInt(2), TimeUnit.MILLISECONDS);
            case 4 -> f.completeOnTimeout(null, random.nextInt(2), TimeUnit.MILLISECONDS);
            default -> { } // waits for the lane
          }
          // Whoever won, a permit in the future is the caller's to release.
          f.handle((p, e) -> p).thenAccept(p -> {
            if (p != null) {
              if (random.nextBoolean()) {
                p.close();
              } else {
                p.ignore();
              }
            }
          });
        }
        return null;
      }));
    }
    go.countDown();
    if (new Random(seed).nextInt(3) == 0) {
      lane.close();
    }
    for (Future<?> c : callers) {
      c.get(10, TimeUnit.SECONDS);
    }
    for (CompletableFuture<Permit> f : futures) {
      try {
        f.handle((p, e) -> null).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("seed " + seed + ": a future never completed: " + f, e);
      }
    }
    // Release runs in the futures' callbacks; the last ones may still be on their way.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (lane.inFlight() != 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    stop.set(true);
    scraper.get(10, TimeUnit.SECONDS);
    LaneSnapshot s = lane.snapshot();
    assertThat(lane.inFlight()).as("seed %d (%s): in flight at rest; %s", seed, order, s)
        .isZero();
    assertThat(s.admitted(Priority.NORMAL))
        .as("seed %d: admitted = completed + dropped + ignored at rest; %s", seed, s)
        .isEqualTo(s.completed(Priority.NORMAL) + s.dropped(Priority.NORMAL)
            + s.ignored(Priority.NORMAL));
    assertThat(fell.get()).as("seed %d: a total fell", seed).isNull();
    lane.close();
  }
}
