package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The point of the module: in front of a resource that saturates at its parallelism, a
 * {@code LaneBulkhead} finds a limit near that parallelism, while a {@code SemaphoreBulkhead} with
 * Resilience4j's default of 25 lets the queue inside the resource, and so the tail, grow. Both run
 * the same closed-loop load in virtual time, so the result is the same on any machine.
 */
class AdaptiveBulkheadTest {

  private static final int PARALLELISM = 8;
  private static final Duration SERVICE = Duration.ofMillis(10);
  private static final int CLIENTS = 32;
  private static final Duration RETRY_AFTER = Duration.ofMillis(5);
  private static final Duration WARM_UP = Duration.ofSeconds(10);
  private static final Duration MEASURED = Duration.ofSeconds(10);
  private static final long SEED = 42;

  @Test
  void aLaneBulkheadFindsTheResourcesParallelismWhereASemaphoreLetsTheTailGrow() {
    VirtualTime laneTime = new VirtualTime();
    Lane lane = Lane.builder("slow-resource").algorithm("gradient").limits(1, 25, 100)
        .maxWait(Duration.ZERO).ticker(laneTime).scheduler(laneTime).build();
    Run adaptive = new Run(laneTime, LaneBulkhead.of(lane));
    List<Integer> limits = new ArrayList<>();
    adaptive.everyTenthOfASecond(() -> limits.add(lane.limit()));
    adaptive.run();

    Run fixed = new Run(new VirtualTime(), Bulkhead.of("semaphore", BulkheadConfig.ofDefaults()));
    fixed.run();

    String report = String.format(
        "lane: limit %s..%s, p50 %.1f ms, p99 %.1f ms, %.0f calls/s; semaphore(25): p50 %.1f ms,"
            + " p99 %.1f ms, %.0f calls/s",
        limits.stream().min(Integer::compare).orElseThrow(),
        limits.stream().max(Integer::compare).orElseThrow(),
        adaptive.percentileMillis(0.50), adaptive.percentileMillis(0.99), adaptive.throughput(),
        fixed.percentileMillis(0.50), fixed.percentileMillis(0.99), fixed.throughput());
    System.out.println(report);

    assertThat(limits).as(report).allSatisfy(limit ->
        assertThat(limit).isBetween(PARALLELISM / 2, PARALLELISM * 2));
    assertThat(fixed.percentileMillis(0.99)).as(report)
        .as("25 calls share 8 servers: about 25/8 service times")
        .isGreaterThan(2.5 * SERVICE.toMillis());
    assertThat(adaptive.percentileMillis(0.99)).as(report)
        .isLessThan(fixed.percentileMillis(0.99) / 2);
    assertThat(adaptive.throughput()).as(report + ": the lane keeps the resource busy")
        .isGreaterThan(0.95 * fixed.throughput());
    assertThat(lane.inFlight()).isLessThanOrEqualTo(lane.limit());
  }

  /** One bulkhead in front of the resource, under the closed loop, in its own virtual time. */
  private static final class Run {
    private final VirtualTime time;
    private final Bulkhead bulkhead;
    private final SlowResource resource;
    private final List<Long> measuredNanos = new ArrayList<>();
    private long measureFrom = Long.MAX_VALUE;

    Run(VirtualTime time, Bulkhead bulkhead) {
      this.time = time;
      this.bulkhead = bulkhead;
      this.resource = new SlowResource(time, new SplittableRandom(SEED));
    }

    void everyTenthOfASecond(Runnable probe) {
      time.after(WARM_UP, () -> tick(probe));
    }

    private void tick(Runnable probe) {
      probe.run();
      time.after(Duration.ofMillis(100), () -> tick(probe));
    }

    void run() {
      for (int c = 0; c < CLIENTS; c++) {
        time.after(Duration.ofMillis(c % 10), this::call);
      }
      time.runUntil(WARM_UP);
      measureFrom = time.nanoTime();
      time.runUntil(MEASURED);
    }

    /** A client: call through the bulkhead; call again when done, or shortly after a refusal. */
    private void call() {
      long start = time.nanoTime();
      CompletionStage<Void> stage = bulkhead.executeCompletionStage(resource::call);
      stage.whenComplete((ok, refused) -> {
        if (refused != null) {
          time.after(RETRY_AFTER, this::call);
          return;
        }
        if (start >= measureFrom) {
          measuredNanos.add(time.nanoTime() - start);
        }
        time.after(Duration.ZERO, this::call);
      });
    }

    double percentileMillis(double quantile) {
      long[] sorted = measuredNanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]
          / 1e6;
    }

    double throughput() {
      return measuredNanos.size() / (MEASURED.toNanos() / 1e9);
    }
  }

  /**
   * A resource with {@link #PARALLELISM} servers and a FIFO queue in front of them, as a disk has:
   * a call's latency is its service time (10 ms, give or take 10%) plus its wait in the queue, so
   * latency is flat up to the parallelism and grows in proportion past it.
   */
  private static final class SlowResource {
    private final VirtualTime time;
    private final SplittableRandom random;
    private final ArrayDeque<CompletableFuture<Void>> queue = new ArrayDeque<>();
    private int busy;

    SlowResource(VirtualTime time, SplittableRandom random) {
      this.time = time;
      this.random = random;
    }

    CompletionStage<Void> call() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (busy < PARALLELISM) {
        serve(done);
      } else {
        queue.add(done);
      }
      return done;
    }

    private void serve(CompletableFuture<Void> call) {
      busy++;
      long service = (long) (SERVICE.toNanos() * (0.9 + 0.2 * random.nextDouble()));
      time.schedule(() -> {
        busy--;
        call.complete(null);
        CompletableFuture<Void> next = queue.poll();
        if (next != null) {
          serve(next);
        }
      }, service);
    }
  }
}
