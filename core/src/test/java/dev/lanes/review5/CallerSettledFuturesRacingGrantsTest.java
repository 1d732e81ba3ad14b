package dev.lanes.review5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Item 3 of the brief: a future its caller settles itself (cancel, complete, completeExceptionally,
 * completeOnTimeout) withdraws its waiter through {@code whenComplete}; racing grants must leak no
 * permit. Threads ask for permits asynchronously and settle a random share of their futures
 * themselves while other threads release; at rest every permit a future received is closed, and
 * the lane must be empty with admitted equal to released. (Holds: kept as a guard.)
 */
class CallerSettledFuturesRacingGrantsTest {

  @Test
  void noPermitLeaksWhenCallersSettleTheirOwnFuturesDuringGrants() throws Exception {
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    for (QueueOrder order : QueueOrder.values()) {
      run(order, seed);
    }
  }

  private static Permit permitOf(CompletableFuture<Permit> f) {
    return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
  }

  private static void run(QueueOrder order, long seed) throws Exception {
    Lane lane = Lane.builder("settled-" + order).algorithm((w, l) -> l).limits(2, 2, 2)
        .queueOrder(order).maxQueued(10_000).maxWait(Duration.ofSeconds(30)).build();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger failures = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    List<List<CompletableFuture<Permit>>> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      SplittableRandom random = new SplittableRandom(seed + t);
      List<CompletableFuture<Permit>> mine = new ArrayList<>();
      all.add(mine);
      Thread w = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < 5_000; i++) {
            CompletableFuture<Permit> f = lane.acquireAsync(
                random.nextInt(4) == 0 ? Priority.BACKGROUND : Priority.NORMAL,
                Duration.ofSeconds(30));
            switch (random.nextInt(6)) {
              case 0 -> f.cancel(false);
              case 1 -> f.complete(null);
              case 2 -> f.completeExceptionally(new IllegalStateException("mine"));
              case 3 -> f.completeOnTimeout(null, random.nextInt(50), TimeUnit.MICROSECONDS);
              default -> { }
            }
            mine.add(f);
            // release what has arrived, keeping a few out so others queue
            for (int k = Math.max(0, mine.size() - 8); k < mine.size() - 1; k++) {
              Permit p = permitOf(mine.get(k));
              if (p != null) {
                p.close();
              }
            }
          }
        } catch (Throwable e) {
          e.printStackTrace(System.out);
          failures.incrementAndGet();
        }
      });
      w.start();
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join(60_000);
    }
    // every future ends: close every permit any future holds, until the lane is at rest
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((lane.inFlight() > 0 || lane.snapshot().waiting() > 0)
        && System.nanoTime() < deadline) {
      for (List<CompletableFuture<Permit>> mine : all) {
        for (CompletableFuture<Permit> f : mine) {
          Permit p = permitOf(f);
          if (p != null) {
            p.close(); // a second close of the same permit is a no-op (rule 8)
          }
        }
      }
      Thread.onSpinWait();
    }
    LaneSnapshot s = lane.snapshot();
    System.out.printf("%s: in flight %d, waiting %d, NORMAL admitted %d released %d,"
            + " BACKGROUND admitted %d released %d%n", order, s.inFlight(), s.waiting(),
        s.admitted(Priority.NORMAL), s.completed(Priority.NORMAL) + s.dropped(Priority.NORMAL)
            + s.ignored(Priority.NORMAL), s.admitted(Priority.BACKGROUND),
        s.completed(Priority.BACKGROUND) + s.dropped(Priority.BACKGROUND)
            + s.ignored(Priority.BACKGROUND));
    assertThat(failures).hasValue(0);
    assertThat(s.inFlight()).as("%s: at rest", order).isZero();
    assertThat(s.waiting()).isZero();
    for (Priority p : new Priority[] {Priority.NORMAL, Priority.BACKGROUND}) {
      assertThat(s.admitted(p)).isEqualTo(s.completed(p) + s.dropped(p) + s.ignored(p));
    }
  }
}
