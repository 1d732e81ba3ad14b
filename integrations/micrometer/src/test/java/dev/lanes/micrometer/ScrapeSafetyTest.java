package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.algorithms.FixedLimit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Rule 11 of a lane under Micrometer: reading its meters at any rate never delays, loses or
 * duplicates a hand-over. A Prometheus registry is scraped every millisecond (checking that no
 * counter ever goes down), scraped again as fast as a thread can, and one gauge is read in a
 * tight loop, each read a fresh snapshot of the lane.
 *
 * <p>Eight threads share a lane of limit 1 in rounds. At a barrier, each queues a batch of calls
 * (six threads {@code NORMAL}, asynchronously; two {@code BACKGROUND}, blocking), so the lane is
 * saturated and its queue long. An asynchronous call releases its permit as soon as it gets it,
 * in its callback or on a small pool of its own, so one release passes the permit down the whole
 * queue at the speed of the hand-over itself. Once a round's calls are queued nobody else
 * arrives, so nothing but those releases can move a permit on: a hand-over a scrape swallowed
 * leaves the rest of the queue waiting until their five-second wait runs out, and the test sees
 * the timeouts. One call per batch waits only a millisecond instead, and must not time out
 * before that.
 *
 * <p>At the end the lane is idle, and the last scrape agrees with what the threads did.
 */
class ScrapeSafetyTest {

  private static final int THREADS = 8;
  private static final int ASYNC_THREADS = 6;
  private static final int BATCH = 8;
  private static final int LIMIT = 1;
  /** The churn lasts this long, and then until it has done enough, up to {@link #CHURN_CAP}. */
  private static final Duration CHURN = Duration.ofSeconds(2);
  private static final Duration CHURN_CAP = Duration.ofSeconds(30);
  private static final int MIN_ROUNDS = 200;
  private static final int MIN_SCRAPES = 200;
  /** The wait of the calls that must be served: a lost hand-over makes them time out. */
  private static final Duration PATIENT = Duration.ofSeconds(5);
  private static final Duration IMPATIENT = Duration.ofMillis(1);
  private static final List<String> COUNTERS = List.of("lanes_admitted_total",
      "lanes_rejected_total", "lanes_released_total", "lanes_latency_seconds_count",
      "lanes_latency_seconds_sum");

  private final Queue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLongArray served = new AtomicLongArray(Priority.values().length);
  private final AtomicLong refused = new AtomicLong();
  private final ExecutorService releasers = Executors.newFixedThreadPool(2);

  @Test
  void scrapingAtAnyRateLosesNoHandOver() throws Exception {
    long seed = System.nanoTime();
    Lane lane = Lane.builder("churn")
        .algorithm(FixedLimit.of(LIMIT))
        .limits(LIMIT, LIMIT, LIMIT)
        .maxQueued(THREADS * BATCH)
        .queueOrder(QueueOrder.FIFO)
        .build();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LaneMetrics.of(lane).bindTo(prometheus);

    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 3);
    Scraper everyMillisecond = new Scraper(prometheus);
    AtomicLong flatOutScrapes = new AtomicLong();
    AtomicLong gaugeReads = new AtomicLong();
    Gauge waiting = prometheus.get("lanes.waiting").tag("priority", "normal").gauge();
    AtomicLong rounds = new AtomicLong();
    long churnStart = System.nanoTime();
    // Written by the barrier actions, read after the barriers.
    boolean[] stop = {false};
    Permit[] holder = {null};
    CyclicBarrier roundStart = new CyclicBarrier(THREADS, () -> {
      rounds.incrementAndGet();
      long elapsed = System.nanoTime() - churnStart;
      stop[0] = elapsed > CHURN_CAP.toNanos() || elapsed > CHURN.toNanos()
          && rounds.get() >= MIN_ROUNDS && everyMillisecond.scrapes >= MIN_SCRAPES;
      holder[0] = lane.tryAcquire(Priority.NORMAL).orElse(null);
      if (holder[0] == null) {
        failures.add("the lane is not idle between rounds: " + lane.snapshot());
      }
    });
    // Once every batch is queued, one release starts the round's chain of hand-overs.
    CyclicBarrier batchesQueued = new CyclicBarrier(ASYNC_THREADS, () -> {
      if (holder[0] != null) {
        release(holder[0], 0);
      }
    });

    List<Future<?>> scrapers = List.of(pool.submit(everyMillisecond), pool.submit(() -> {
      while (!everyMillisecond.stop) {
        prometheus.scrape();
        flatOutScrapes.incrementAndGet();
      }
    }), pool.submit(() -> {
      // The harshest reader: one meter, over and over, each read a fresh snapshot.
      while (!everyMillisecond.stop) {
        waiting.value();
        gaugeReads.incrementAndGet();
      }
    }));
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      workers.add(pool.submit(() -> {
        SplittableRandom random = new SplittableRandom(seed + thread);
        for (long round = 0; ; round++) {
          roundStart.await(60, TimeUnit.SECONDS);
          if (stop[0]) {
            if (thread == 0 && holder[0] != null) {
              release(holder[0], 0);
            }
            return null;
          }
          if (thread < ASYNC_THREADS) {
            asyncBatch(lane, random, round, thread, batchesQueued);
          } else {
            blockingCall(lane, random, round % 4 == thread % 4);
          }
        }
      }));
    }
    try {
      for (Future<?> worker : workers) {
        worker.get(CHURN_CAP.plus(PATIENT).getSeconds() + 60, TimeUnit.SECONDS);
      }
    } finally {
      everyMillisecond.stop = true;
      for (Future<?> scraper : scrapers) {
        scraper.get(60, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      releasers.shutdownNow();
    }

    String context = "seed " + seed + ", " + rounds.get() + " rounds, " + everyMillisecond.scrapes
        + " scrapes at 1 ms, " + flatOutScrapes.get() + " flat out, " + gaugeReads.get()
        + " gauge reads";
    assertThat(failures).as(context).isEmpty();
    assertThat(rounds.get()).as(context).isGreaterThanOrEqualTo(MIN_ROUNDS);
    assertThat(everyMillisecond.scrapes).as(context).isGreaterThanOrEqualTo(MIN_SCRAPES);
    assertThat(lane.inFlight()).as(context).isZero();

    // Quiet now: the scrape agrees with what the threads did, to the call.
    PrometheusText last = PrometheusText.parse(prometheus.scrape());
    assertThat(last.value("lanes_in_flight", Map.of())).isZero();
    assertThat(last.value("lanes_waiting", Map.of("priority", "normal"))).isZero();
    assertThat(last.value("lanes_waiting", Map.of("priority", "background"))).isZero();
    for (Priority p : List.of(Priority.NORMAL, Priority.BACKGROUND)) {
      String priority = LaneMeters.lowerCase(p);
      long calls = served.get(p.ordinal());
      assertThat(last.value("lanes_admitted_total", Map.of("priority", priority)))
          .as(context + ", " + priority).isEqualTo(calls);
      assertThat(last.value("lanes_released_total",
          Map.of("priority", priority, "outcome", "success"))).isEqualTo(calls);
    }
    double refusals = last.samples.stream()
        .filter(s -> s.name().equals("lanes_rejected_total"))
        .mapToDouble(PrometheusText.Sample::value).sum();
    assertThat(refusals).as(context).isEqualTo(refused.get());
  }

  @Test
  void lanesComeAndGoWhileTheRegistryIsScraped() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Lane stays = Lane.builder("stays").build();
    LaneMetrics.of(stays).bindTo(prometheus);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      AtomicBoolean done = new AtomicBoolean();
      Future<Long> scraping = pool.submit(() -> {
        long scrapes = 0;
        while (!done.get()) {
          PrometheusText text = PrometheusText.parse(prometheus.scrape());
          assertThat(text.value("lanes_limit", Map.of("lane", "stays"))).isEqualTo(stays.limit());
          scrapes++;
        }
        return scrapes;
      });
      Future<?> churn = pool.submit(() -> {
        for (int i = 0; i < 300; i++) {
          Lane lane = Lane.builder("lane-" + i).build();
          LaneMetrics.of(lane).bindTo(prometheus);
          lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
          lane.close();
        }
      });
      churn.get(60, TimeUnit.SECONDS);
      done.set(true);
      assertThat(scraping.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      pool.shutdownNow();
    }

    assertThat(prometheus.getMeters())
        .allMatch(m -> m.getId().getTag("lane").equals("stays"))
        .hasSize(LaneMetricsTest.METERS_PER_LANE);
    assertThat(PrometheusText.parse(prometheus.scrape()).samples)
        .allMatch(sample -> sample.labels().get("lane").equals("stays"));
  }

  /**
   * Queues a batch of NORMAL calls that release their permits as soon as they get them: one in
   * four in the callback itself, inside the hand-over that granted it, and the rest on a pool of
   * their own, as a caller with its own executor would. A release inside a hand-over is retried by
   * the hand-over around it, so only the pool's releases start a hand-over nothing else would
   * retry, and those are the ones a swallowed hand-over strands.
   */
  private void asyncBatch(Lane lane, SplittableRandom random, long round, int thread,
      CyclicBarrier batchesQueued) throws Exception {
    int impatient = random.nextInt(BATCH);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      Duration maxWait = i == impatient ? IMPATIENT : PATIENT;
      long hold = random.nextInt(2_000);     // drawn here: the callback runs on another thread
      long start = System.nanoTime();
      String who = "round " + round + ", thread " + thread + ", call " + i;
      BiFunction<Permit, Throwable, Void> use = (permit, failure) -> {
        if (permit != null) {
          release(permit, hold);
        } else {
          refused(lane, who, failure, maxWait, System.nanoTime() - start);
        }
        return null;
      };
      CompletableFuture<Permit> call = lane.acquireAsync(Priority.NORMAL, maxWait);
      calls.add(i % 4 == 0 ? call.handle(use) : call.handleAsync(use, releasers));
    }
    batchesQueued.await(60, TimeUnit.SECONDS);
    try {
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
          .get(PATIENT.getSeconds() + 30, TimeUnit.SECONDS);
    } catch (Exception e) {
      failures.add("round " + round + ", thread " + thread + ": calls never completed; lane "
          + lane.snapshot());
    }
  }

  /** One BACKGROUND call that waits on its thread, behind every NORMAL one. */
  private void blockingCall(Lane lane, SplittableRandom random, boolean impatient)
      throws InterruptedException {
    Duration maxWait = impatient ? IMPATIENT : PATIENT;
    long start = System.nanoTime();
    try {
      release(lane.acquire(Priority.BACKGROUND, maxWait), random.nextInt(20_000));
    } catch (LaneRejectedException e) {
      refused(lane, "a blocking BACKGROUND call", e, maxWait, System.nanoTime() - start);
    }
  }

  private void release(Permit permit, long holdNanos) {
    long end = System.nanoTime() + holdNanos;
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
    served.incrementAndGet(permit.priority().ordinal());
    permit.close();
  }

  private void refused(Lane lane, String who, Throwable failure, Duration maxWait, long waited) {
    refused.incrementAndGet();
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    boolean timeout = cause instanceof LaneRejectedException
        && ((LaneRejectedException) cause).reason() == Reason.TIMEOUT;
    if (maxWait != IMPATIENT || !timeout) {
      failures.add(who + ", waiting up to " + maxWait + ": " + cause + " after "
          + waited / 1_000_000 + " ms; lane " + lane.snapshot());
    } else if (waited < maxWait.toNanos()) {
      failures.add(who + " timed out after " + waited + " ns, before its " + maxWait);
    }
  }

  /** Scrapes once a millisecond, and checks that no counter ever goes down. */
  private final class Scraper implements Runnable {
    private final PrometheusMeterRegistry prometheus;
    private final Map<String, Double> lastValues = new HashMap<>();
    volatile boolean stop;
    volatile long scrapes;

    Scraper(PrometheusMeterRegistry prometheus) {
      this.prometheus = prometheus;
    }

    @Override
    public void run() {
      long next = System.nanoTime();
      while (!stop) {
        for (PrometheusText.Sample sample : PrometheusText.parse(prometheus.scrape()).samples) {
          if (COUNTERS.contains(sample.name())) {
            Double before = lastValues.put(sample.series(), sample.value());
            if (before != null && sample.value() < before) {
              failures.add(sample.series() + " went down from " + before + " to "
                  + sample.value() + " in scrape " + scrapes);
            }
          }
        }
        scrapes++;
        next += 1_000_000;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    }
  }
}
