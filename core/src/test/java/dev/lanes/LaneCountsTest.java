package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The lane's running totals under a storm of calls from many threads. {@code NORMAL} admissions
 * and successes are derived from the gate rather than counted, so a reader must see them never
 * fall, never run ahead of what callers did, and come out exact once the calls are over.
 */
class LaneCountsTest {

  private static final int THREADS = 6;
  private static final int OPERATIONS = 150_000;

  private final AtomicLong normalAttempts = new AtomicLong();
  /** NORMAL attempts started and not yet returned: granted or not, nobody knows yet. */
  private final AtomicLong normalInProgress = new AtomicLong();
  private final AtomicLong normalGranted = new AtomicLong();
  private final AtomicLong normalCloses = new AtomicLong();
  private final AtomicLong normalCloseCalls = new AtomicLong();
  private final AtomicLong backgroundGranted = new AtomicLong();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

  @Test
  void normalCountsNeverFallNeverLeadAndEndExact() throws Exception {
    long seed = Long.getLong("lanes.seed", System.nanoTime());
    Lane lane = Lane.builder("counts").algorithm((w, l) -> l).limits(3, 3, 3)
        .backgroundReserve(1).maxWait(Duration.ofMillis(1)).build();
    AtomicBoolean stop = new AtomicBoolean();
    Thread reader = new Thread(() -> read(lane, stop), "reader");
    reader.start();
    List<Thread> workers = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    SplittableRandom master = new SplittableRandom(seed);
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = master.split();
      Thread worker = new Thread(() -> work(lane, random, start), "worker-" + t);
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.MINUTES.toMillis(2));
    }
    stop.set(true);
    reader.join();

    assertThat(violations).as("seed %d", seed).isEmpty();
    LaneSnapshot s = lane.snapshot();
    assertThat(lane.inFlight()).isZero();
    assertThat(s.admitted(Priority.NORMAL)).as("seed %d", seed).isEqualTo(normalGranted.get());
    assertThat(s.completed(Priority.NORMAL)).as("seed %d", seed).isEqualTo(normalCloses.get());
    assertThat(s.admitted(Priority.BACKGROUND)).isEqualTo(backgroundGranted.get());
    assertThat(s.admitted(Priority.NORMAL))
        .isEqualTo(s.completed(Priority.NORMAL) + s.dropped(Priority.NORMAL)
            + s.ignored(Priority.NORMAL));
  }

  private void read(Lane lane, AtomicBoolean stop) {
    long lastAdmitted = 0;
    long lastCompleted = 0;
    while (!stop.get()) {
      LaneSnapshot s = lane.snapshot();
      long admitted = s.admitted(Priority.NORMAL);
      long completed = s.completed(Priority.NORMAL);
      // Read after the snapshot: what callers had started by then bounds what it may show.
      long attempts = normalAttempts.get();
      long closeCalls = normalCloseCalls.get();
      long mayHaveBeenGranted = normalInProgress.get() + normalGranted.get(); // in this order
      if (admitted < lastAdmitted || completed < lastCompleted) {
        violations.add("went back: admitted " + lastAdmitted + " -> " + admitted
            + ", completed " + lastCompleted + " -> " + completed);
      }
      if (admitted > attempts || admitted > mayHaveBeenGranted) {
        violations.add("admitted " + admitted + " ahead of " + mayHaveBeenGranted
            + " grants and attempts in progress");
      }
      if (completed > closeCalls) {
        violations.add("completed " + completed + " ahead of " + closeCalls + " close() calls");
      }
      lastAdmitted = admitted;
      lastCompleted = completed;
    }
  }

  private void work(Lane lane, SplittableRandom random, CountDownLatch start) {
    try {
      start.await();
    } catch (InterruptedException e) {
      return;
    }
    for (int i = 0; i < OPERATIONS / THREADS; i++) {
      int op = random.nextInt(10);
      if (op < 6) {
        normalAttempts.incrementAndGet();
        normalInProgress.incrementAndGet();
        Optional<Permit> permit = lane.tryAcquire(Priority.NORMAL);
        permit.ifPresent(p -> normalGranted.incrementAndGet());
        normalInProgress.decrementAndGet();
        permit.ifPresent(p -> release(p, random));
      } else if (op < 8) {
        lane.tryAcquire(random.nextBoolean() ? Priority.BACKGROUND : Priority.CRITICAL)
            .ifPresent(p -> {
              if (p.priority() == Priority.BACKGROUND) {
                backgroundGranted.incrementAndGet();
              }
              release(p, random);
            });
      } else {
        // Waiters, some cancelled as their permit arrives: those are given back, uncounted.
        normalAttempts.incrementAndGet();
        normalInProgress.incrementAndGet();
        CompletableFuture<Permit> f = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(1));
        if (random.nextBoolean()) {
          f.cancel(false);
        }
        Permit p = f.isDone() && !f.isCompletedExceptionally() ? f.join() : awaitQuietly(f);
        if (p != null) {
          normalGranted.incrementAndGet();
        }
        normalInProgress.decrementAndGet();
        if (p != null) {
          release(p, random);
        }
      }
    }
  }

  private void release(Permit permit, SplittableRandom random) {
    int how = random.nextInt(10);
    boolean normal = permit.priority() == Priority.NORMAL;
    if (how < 6) {
      if (normal) {
        normalCloseCalls.incrementAndGet();
      }
      permit.close();
      if (normal) {
        normalCloses.incrementAndGet();
      }
    } else if (how < 8) {
      permit.dropped();
    } else {
      permit.ignore();
    }
  }

  private static Permit awaitQuietly(CompletableFuture<Permit> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }
}
