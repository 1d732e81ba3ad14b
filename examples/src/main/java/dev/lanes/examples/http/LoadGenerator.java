package dev.lanes.examples.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * An open-loop load: requests arrive at a fixed rate whether or not earlier ones were answered, as
 * they do from many independent users, and each client gives up after a deadline. A prober
 * checks {@code /health} every 50 ms on the side.
 */
final class LoadGenerator {

  /** Past this many unanswered requests the generator stops sending, to bound its own use. */
  private static final int MAX_OUTSTANDING = 4_000;

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** What one phase saw, from the clients' side. */
  static final class Tally {
    final Samples ok = new Samples();
    final Samples health = new Samples();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong notSent = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
  }

  /**
   * Sends {@code ratePerSecond} requests a second to {@code record} for {@code duration}, each
   * with {@code deadline}, and probes {@code health}; calls {@code eachSecond} once a second with
   * the seconds elapsed. Returns when every request is answered or has given up.
   */
  Tally run(URI record, URI health, double ratePerSecond, Duration duration, Duration deadline,
      LongConsumer eachSecond) throws InterruptedException {
    Tally tally = new Tally();
    AtomicInteger outstanding = new AtomicInteger();
    HttpRequest request = HttpRequest.newBuilder(record).timeout(deadline).build();
    HttpRequest probe = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(30)).build();
    long interval = (long) (1e9 / ratePerSecond);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextArrival = start;
    long nextProbe = start;
    long nextReport = start + TimeUnit.SECONDS.toNanos(1);
    CompletableFuture<?>[] probes = new CompletableFuture<?>[(int) (duration.toMillis() / 50) + 2];
    int probeCount = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (now >= nextReport) {
        eachSecond.accept((nextReport - start) / 1_000_000_000L);
        nextReport += TimeUnit.SECONDS.toNanos(1);
      }
      if (now >= nextProbe && probeCount < probes.length) {
        long sentAt = System.nanoTime();
        probes[probeCount++] = client.sendAsync(probe, HttpResponse.BodyHandlers.discarding())
            .whenComplete((r, e) -> tally.health.add(System.nanoTime() - sentAt));
        nextProbe += TimeUnit.MILLISECONDS.toNanos(50);
      }
      if (now >= nextArrival) {
        nextArrival += interval;
        if (outstanding.get() >= MAX_OUTSTANDING) {
          tally.notSent.incrementAndGet();
          continue;
        }
        outstanding.incrementAndGet();
        tally.sent.incrementAndGet();
        long sentAt = System.nanoTime();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .whenComplete((response, failure) -> {
              record(tally, response, failure, System.nanoTime() - sentAt);
              outstanding.decrementAndGet(); // after the sample: a drained count publishes it
            });
        continue;
      }
      LockSupport.parkNanos(Math.min(nextArrival, Math.min(nextProbe, nextReport)) - now);
    }
    long drainUntil = System.nanoTime() + deadline.toNanos() + TimeUnit.SECONDS.toNanos(2);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(10); // waiting for the stragglers' own deadlines, not a synchronisation
    }
    CompletableFuture.allOf(Arrays.copyOf(probes, probeCount))
        .exceptionally(e -> null)
        .orTimeout(40, TimeUnit.SECONDS)
        .join();
    return tally;
  }

  private static void record(Tally tally, HttpResponse<Void> response, Throwable failure,
      long nanos) {
    if (failure != null) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      (cause instanceof HttpTimeoutException ? tally.timedOut : tally.other).incrementAndGet();
    } else if (response.statusCode() == 200) {
      tally.ok.add(nanos);
    } else if (response.statusCode() == 503) {
      tally.refused.incrementAndGet();
    } else {
      tally.other.incrementAndGet();
    }
  }

  /**
   * Latencies, kept whole so that the percentiles are exact. Writers append without a lock; read
   * once the requests that wrote are done.
   */
  static final class Samples {
    private static final int CAPACITY = 1 << 20;
    private final long[] nanos = new long[CAPACITY];
    private final AtomicInteger count = new AtomicInteger();

    void add(long value) {
      int i = count.getAndIncrement();
      if (i < CAPACITY) {
        nanos[i] = value;
      }
    }

    void addAll(Samples other) {
      for (int i = 0, n = other.count(); i < n; i++) {
        add(other.nanos[i]);
      }
    }

    int count() {
      return Math.min(count.get(), CAPACITY);
    }

    /** The latency at quantile {@code q}, in milliseconds; 0 with no samples. */
    double percentileMillis(double q) {
      int n = count();
      if (n == 0) {
        return 0;
      }
      long[] sorted = Arrays.copyOf(nanos, n);
      Arrays.sort(sorted);
      return sorted[Math.max(0, (int) Math.ceil(q * n) - 1)] / 1e6;
    }
  }
}
