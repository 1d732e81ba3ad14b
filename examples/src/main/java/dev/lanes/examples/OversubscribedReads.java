package dev.lanes.examples;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hand-over on a real disk: sixteen threads share eight permits, each call a 4 KiB
 * {@code O_DIRECT} read at a random offset of a 256 MiB file. Every freed permit has a thread
 * waiting for it, so this measures how fast a permit gets from the thread that frees it to the
 * next thread that reads. Contenders: a lane fixed at 8, a fair and an unfair {@link Semaphore}
 * of 8, and eight threads with no limiter at all. Each runs 4 s, three rounds in turn, and the
 * median round is reported.
 *
 * <pre>
 * mvn -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.lanes.examples.OversubscribedReads
 * </pre>
 */
public final class OversubscribedReads {

  private static final int THREADS = 16;
  private static final int PERMITS = 8;
  private static final int READ_BYTES = 4 * 1024;
  private static final long FILE_BYTES = 256L * 1024 * 1024;
  private static final Duration WARM_UP = Duration.ofSeconds(1);
  private static final Duration MEASURE = Duration.ofSeconds(4);
  private static final int ROUNDS = 3;

  /** One contender: enter before the read, and the returned action after it. */
  private interface Limiter {
    Runnable enter() throws InterruptedException;
  }

  private OversubscribedReads() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("lanes-handover-");
    Path file = dir.resolve("data.bin");
    try (Lane lane = Lane.builder("disk").algorithm("fixed").limits(PERMITS, PERMITS, PERMITS)
        .maxWait(Duration.ofMinutes(1)).build()) {
      DirectReads.writeRandomFile(file, FILE_BYTES);
      Map<String, Limiter> limiters = new LinkedHashMap<>();
      limiters.put("no limiter, 8 threads", null);
      limiters.put("unfair Semaphore(8)", semaphore(false));
      limiters.put("fair Semaphore(8)", semaphore(true));
      limiters.put("lane of 8", () -> {
        Permit permit = lane.acquire(Priority.NORMAL, Duration.ofMinutes(1));
        return permit::close;
      });
      Map<String, double[]> rates = new LinkedHashMap<>();
      try (DirectReads reads = new DirectReads(file)) {
        System.out.printf(Locale.ROOT, "%d threads, %d permits, 4 KiB reads%s at random offsets"
            + " of a 256 MiB file; %d rounds of %d s.%n%n", THREADS, PERMITS,
            reads.direct() ? " with O_DIRECT" : " (no O_DIRECT here: the page cache answers)",
            ROUNDS, MEASURE.toSeconds());
        for (int round = 0; round < ROUNDS; round++) {
          for (Map.Entry<String, Limiter> entry : limiters.entrySet()) {
            int threads = entry.getValue() == null ? PERMITS : THREADS;
            double rate = run(reads, entry.getValue(), threads, round);
            rates.computeIfAbsent(entry.getKey(), k -> new double[ROUNDS])[round] = rate;
          }
        }
      }
      System.out.printf(Locale.ROOT, "%-24s %12s   %s%n", "", "reads/s", "each round");
      for (Map.Entry<String, double[]> entry : rates.entrySet()) {
        double[] sorted = entry.getValue().clone();
        Arrays.sort(sorted);
        StringBuilder each = new StringBuilder();
        for (double r : entry.getValue()) {
          each.append(String.format(Locale.ROOT, "%,8.0f", r));
        }
        System.out.printf(Locale.ROOT, "%-24s %,12.0f  %s%n", entry.getKey(),
            sorted[sorted.length / 2], each);
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private static Limiter semaphore(boolean fair) {
    Semaphore semaphore = new Semaphore(PERMITS, fair);
    return () -> {
      semaphore.acquire();
      return semaphore::release;
    };
  }

  /** Reads flat out with {@code threads} threads; returns the measured reads per second. */
  private static double run(DirectReads reads, Limiter limiter, int threads, int round)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean measuring = new AtomicBoolean();
    LongAdder done = new LongAdder();
    CountDownLatch finished = new CountDownLatch(threads);
    long blocks = reads.size() / READ_BYTES;
    for (int t = 0; t < threads; t++) {
      long seed = 31L * round + t;
      Thread worker = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buffer = DirectReads.buffer(READ_BYTES);
        try {
          while (!stop.get()) {
            Runnable exit = limiter == null ? () -> { } : limiter.enter();
            try {
              reads.read(buffer, random.nextLong(blocks) * READ_BYTES);
            } finally {
              exit.run();
            }
            if (measuring.get()) {
              done.increment();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          finished.countDown();
        }
      }, "reader-" + t);
      worker.start();
    }
    sleep(WARM_UP);
    measuring.set(true);
    long start = System.nanoTime();
    sleep(MEASURE);
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    finished.await();
    return done.sum() * 1e9 / elapsed;
  }

  /** The run's own length: a measurement interval, not a wait for something to happen. */
  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

}
