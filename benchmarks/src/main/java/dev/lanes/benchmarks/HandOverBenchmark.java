package dev.lanes.benchmarks;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limiter.BlockingLimiter;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Hand-over when threads outnumber permits: T threads loop on a limiter of L permits, each call
 * holding its permit for a fixed time, parked (as a thread blocked in a read is). Every freed
 * permit has a thread waiting for it, so what is measured is how fast a permit gets from the
 * thread that frees it to the next one that runs: calls per second, and the wait for a permit.
 *
 * <pre>
 * mvn -q -pl benchmarks -am -DskipTests package
 * java -cp benchmarks/target/benchmarks.jar dev.lanes.benchmarks.HandOverBenchmark benchmarks/HANDOVER.md
 * </pre>
 *
 * <p>An unfair semaphore is the ceiling on throughput: the thread that frees a permit takes it
 * again at once, and never waits to be woken, while the others starve. A fair one hands permits
 * over in order, and pays a wake-up for each. Lanes hands over in order too (rule 5).
 */
public final class HandOverBenchmark {

  /** A limiter under test: one call is {@link #enter}, hold, then the returned exit. */
  interface Contender {
    Runnable enter() throws InterruptedException;
  }

  private static final int[] THREADS = {16, 64};
  private static final int[] LIMITS = {4, 16};
  private static final long[] HOLD_MICROS = {50, 200};

  private final Duration warmUp;
  private final Duration measure;

  HandOverBenchmark(Duration warmUp, Duration measure) {
    this.warmUp = warmUp;
    this.measure = measure;
  }

  /**
   * Runs the grid and writes the report to {@code args[0]}, or prints it. System properties:
   * {@code warmUpMillis}, {@code measureMillis}, and {@code only} to run the contenders whose name
   * contains it.
   */
  public static void main(String[] args) throws Exception {
    Duration warmUp = Duration.ofMillis(Long.getLong("warmUpMillis", 1_000));
    Duration measure = Duration.ofMillis(Long.getLong("measureMillis", 3_000));
    String only = System.getProperty("only", "");
    HandOverBenchmark benchmark = new HandOverBenchmark(warmUp, measure);
    StringBuilder report = new StringBuilder();
    report.append(header(warmUp, measure));
    for (int threads : THREADS) {
      for (int limit : LIMITS) {
        for (long hold : HOLD_MICROS) {
          Map<String, Result> results = new LinkedHashMap<>();
          for (Map.Entry<String, IntFunction<Contender>> c : contenders().entrySet()) {
            if (!only.isEmpty() && !c.getKey().contains(only)) {
              continue;
            }
            Result r = benchmark.run(c.getValue().apply(limit), threads, hold);
            results.put(c.getKey(), r);
            System.out.printf(Locale.ROOT, "T=%d L=%d hold=%dus %-22s %9.0f calls/s  wait p50"
                + " %7.1f us  p99 %8.1f us%n", threads, limit, hold, c.getKey(), r.callsPerSecond,
                r.p50Micros, r.p99Micros);
          }
          report.append(table(threads, limit, hold, results));
        }
      }
    }
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), report.toString());
      System.out.println("wrote " + args[0]);
    } else {
      System.out.println(report);
    }
  }

  static Map<String, IntFunction<Contender>> contenders() {
    Map<String, IntFunction<Contender>> all = new LinkedHashMap<>();
    all.put("lanes", limit -> lane(limit));
    all.put("semaphore (unfair)", limit -> semaphore(new Semaphore(limit, false)));
    all.put("semaphore (fair)", limit -> semaphore(new Semaphore(limit, true)));
    all.put("resilience4j bulkhead", HandOverBenchmark::bulkhead);
    all.put("netflix BlockingLimiter", HandOverBenchmark::netflix);
    return all;
  }

  static Contender lane(int limit) {
    Lane lane = Lane.builder("hand-over").algorithm((window, l) -> l).limits(limit, limit, limit)
        .maxWait(Duration.ofSeconds(30)).maxQueued(10_000).build();
    return () -> {
      Permit permit = lane.acquire(Priority.NORMAL);
      return permit::close;
    };
  }

  static Contender semaphore(Semaphore semaphore) {
    return () -> {
      semaphore.acquire();
      return semaphore::release;
    };
  }

  static Contender bulkhead(int limit) {
    Bulkhead bulkhead = Bulkhead.of("hand-over", BulkheadConfig.custom()
        .maxConcurrentCalls(limit).maxWaitDuration(Duration.ofSeconds(30)).build());
    return () -> {
      bulkhead.acquirePermission();
      return bulkhead::onComplete;
    };
  }

  static Contender netflix(int limit) {
    Limiter<Void> limiter = BlockingLimiter.wrap(
        SimpleLimiter.newBuilder().limit(FixedLimit.of(limit)).build(), Duration.ofSeconds(30));
    return () -> {
      Optional<Limiter.Listener> listener = limiter.acquire(null);
      Limiter.Listener l = listener.orElseThrow();
      return l::onSuccess;
    };
  }

  /** The outcome of one contender at one point of the grid. */
  static final class Result {
    final double callsPerSecond;
    final double p50Micros;
    final double p99Micros;

    Result(double callsPerSecond, double p50Micros, double p99Micros) {
      this.callsPerSecond = callsPerSecond;
      this.p50Micros = p50Micros;
      this.p99Micros = p99Micros;
    }
  }

  Result run(Contender contender, int threads, long holdMicros) throws InterruptedException {
    long holdNanos = TimeUnit.MICROSECONDS.toNanos(holdMicros);
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    Histogram[] waits = new Histogram[threads];
    long[] calls = new long[threads];
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      waits[t] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      Thread worker = new Thread(() -> {
        try {
          while (!stop.get()) {
            long start = System.nanoTime();
            Runnable exit = contender.enter();
            long waited = System.nanoTime() - start;
            LockSupport.parkNanos(holdNanos);
            exit.run();
            if (measuring.get()) {
              waits[id].recordValue(waited);
              calls[id]++;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "hand-over-" + t);
      workers.add(worker);
      worker.start();
    }
    Thread.sleep(warmUp.toMillis()); // a benchmark's warm-up, not a correctness argument
    long start = System.nanoTime();
    measuring.set(true);
    Thread.sleep(measure.toMillis());
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    done.await();
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long total = 0;
    for (int t = 0; t < threads; t++) {
      all.add(waits[t]);
      total += calls[t];
    }
    return new Result(total * 1e9 / elapsed, all.getValueAtPercentile(50) / 1e3,
        all.getValueAtPercentile(99) / 1e3);
  }

  private static String header(Duration warmUp, Duration measure) throws IOException {
    return "# Hand-over when threads outnumber permits\n\n"
        + "Generated by `HandOverBenchmark` on " + LocalDate.now() + " (" + warmUp.toMillis()
        + " ms warm-up, " + measure.toMillis() + " ms measured per point).\n\n"
        + "```\nmvn -q -pl benchmarks -am -DskipTests package\n"
        + "java -cp benchmarks/target/benchmarks.jar dev.lanes.benchmarks.HandOverBenchmark"
        + " benchmarks/HANDOVER.md\n```\n\n"
        + "Machine: " + BenchmarkReport.machine() + "\n\n"
        + "T threads loop on L permits; each call parks for the hold time with its permit."
        + " *Wait* is the time to get a permit. Target: Lanes' calls/s ≥ 0.9 × the unfair"
        + " semaphore's, and its p99 wait ≤ the fair semaphore's.\n\n";
  }

  private static String table(int threads, int limit, long hold, Map<String, Result> results) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "## T = %d, L = %d, hold %d µs%n%n", threads, limit,
        hold));
    t.append("| contender | calls/s | vs unfair | wait p50 (µs) | wait p99 (µs) |\n");
    t.append("|---|---:|---:|---:|---:|\n");
    Result unfair = results.get("semaphore (unfair)");
    for (Map.Entry<String, Result> e : results.entrySet()) {
      Result r = e.getValue();
      t.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.1f | %.1f |%n",
          e.getKey().equals("lanes") ? "**lanes**" : e.getKey(), r.callsPerSecond,
          unfair == null ? "–" : String.format(Locale.ROOT, "%.2f",
              r.callsPerSecond / unfair.callsPerSecond), r.p50Micros, r.p99Micros));
    }
    Result lanes = results.get("lanes");
    Result fair = results.get("semaphore (fair)");
    if (lanes != null && unfair != null && fair != null) {
      boolean fast = lanes.callsPerSecond >= 0.9 * unfair.callsPerSecond;
      boolean prompt = lanes.p99Micros <= fair.p99Micros;
      t.append(String.format(Locale.ROOT, "%nLanes: %.2f × the unfair semaphore's calls/s (%s),"
              + " p99 wait %.0f µs against the fair semaphore's %.0f (%s).%n%n",
          lanes.callsPerSecond / unfair.callsPerSecond, fast ? "met" : "missed",
          lanes.p99Micros, fair.p99Micros, prompt ? "met" : "missed"));
    }
    return t.toString();
  }
}
