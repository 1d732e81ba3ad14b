package dev.lanes.resilience4j.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.resilience4j.LaneBulkhead;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * HeldPermits after the third review's fix (stacks cut below the claimed oldest entry, dead
 * threads' stacks swept every 64 registrations): owners and strangers giving back permits at once,
 * from many threads (virtual ones where the JDK has them), with nested calls. Every
 * {@code onComplete} follows its own {@code acquirePermission}, so each one must find a permit:
 * in flight returns to 0, and the book ends empty and small.
 */
class OwnersAndStrangersLeakNothingTest {

  private static final int TASKS = 20_000;

  @Test
  void everyOnCompleteFindsAPermitWhateverThreadCallsIt() throws Exception {
    long seed = System.nanoTime();
    System.out.println("OwnersAndStrangersLeakNothingTest seed " + seed);
    Lane lane = Lane.builder("book-hammer").algorithm("fixed").limits(256, 256, 256)
        .maxWait(Duration.ofSeconds(30)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    ExecutorService callers = virtualOrPool();
    ExecutorService strangers = Executors.newFixedThreadPool(3);
    AtomicLong completions = new AtomicLong();
    // At most 64 tasks under way, two permits each at most: the lane (256) never refuses.
    Semaphore slots = new Semaphore(64);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        Random random = new Random(seed + i);
        slots.acquire();
        done.add(callers.submit(() -> {
          int mode = random.nextInt(4);
          bulkhead.acquirePermission();
          switch (mode) {
            case 0 -> {
              bulkhead.onComplete();
              completions.incrementAndGet();
              slots.release();
            }
            case 1 -> strangers.execute(() -> {
              bulkhead.onComplete();
              completions.incrementAndGet();
              slots.release();
            });
            case 2 -> {
              bulkhead.acquirePermission();
              bulkhead.onComplete();
              bulkhead.onComplete();
              completions.addAndGet(2);
              slots.release();
            }
            default -> {
              Semaphore both = new Semaphore(0);
              strangers.execute(() -> {
                bulkhead.onComplete();
                completions.incrementAndGet();
                both.release();
              });
              bulkhead.acquirePermission();
              Thread.yield();
              bulkhead.onComplete();
              completions.incrementAndGet();
              both.acquireUninterruptibly();
              slots.release();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
      strangers.shutdown();
      assertThat(strangers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      int stacks = stacks(bulkhead).size();
      System.out.printf("seed %d: %d completions, in flight %d, stacks in the book %d%n", seed,
          completions.get(), lane.inFlight(), stacks);
      assertThat(lane.inFlight()).as("seed %d: in flight at rest", seed).isZero();
    } finally {
      callers.shutdownNow();
      strangers.shutdownNow();
    }
  }

  private static ExecutorService virtualOrPool() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
          .invoke(null);
    } catch (ReflectiveOperationException e) {
      return Executors.newFixedThreadPool(16);
    }
  }

  private static Collection<?> stacks(LaneBulkhead bulkhead) throws ReflectiveOperationException {
    Field heldField = LaneBulkhead.class.getDeclaredField("held");
    heldField.setAccessible(true);
    Object held = heldField.get(bulkhead);
    Field all = held.getClass().getDeclaredField("all");
    all.setAccessible(true);
    return (Collection<?>) all.get(held);
  }

  /**
   * A thread per request (platform threads, which the sweep every 64 registrations must drop),
   * each handing its call's completion to another thread, while long-lived threads nest calls of
   * their own: in flight returns to 0 and the book keeps only a handful of stacks.
   */
  @Test
  void threadsThatDieWhileStrangersFinishTheirCallsLeaveNothingBehind() throws Exception {
    Lane lane = Lane.builder("book-thread-per-request").algorithm("fixed").limits(256, 256, 256)
        .maxWait(Duration.ofSeconds(30)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    ExecutorService strangers = Executors.newFixedThreadPool(2);
    ExecutorService nesters = Executors.newFixedThreadPool(2);
    Semaphore slots = new Semaphore(64);
    AtomicLong completions = new AtomicLong();
    try {
      List<Future<?>> nesting = new ArrayList<>();
      for (int n = 0; n < 2; n++) {
        nesting.add(nesters.submit(() -> {
          for (int i = 0; i < 20_000; i++) {
            bulkhead.acquirePermission();
            bulkhead.acquirePermission();
            bulkhead.onComplete();
            bulkhead.onComplete();
          }
          return null;
        }));
      }
      List<Thread> requests = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        slots.acquire();
        Thread t = new Thread(() -> {
          bulkhead.acquirePermission();
          strangers.execute(() -> {
            bulkhead.onComplete();
            completions.incrementAndGet();
            slots.release();
          });
        });
        t.start();
        requests.add(t);
      }
      for (Thread t : requests) {
        t.join(10_000);
      }
      for (Future<?> f : nesting) {
        f.get(30, TimeUnit.SECONDS);
      }
      strangers.shutdown();
      assertThat(strangers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      bulkhead.acquirePermission(); // one more registration-free call: the sweep is not needed
      bulkhead.onComplete();
      int stacks = stacks(bulkhead).size();
      System.out.printf("thread per request: %d completions by strangers, in flight %d, stacks"
          + " in the book %d%n", completions.get(), lane.inFlight(), stacks);
      assertThat(lane.inFlight()).isZero();
      assertThat(stacks).as("stacks kept for 3,000 dead threads").isLessThan(200);
    } finally {
      strangers.shutdownNow();
      nesters.shutdownNow();
    }
  }
}
