package dev.lanes.examples.http;

import dev.lanes.examples.DirectReads;
import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.io.FileLanes;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.servlet.LaneFilter;
import dev.lanes.servlet.RequestPaths;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP service, offered twice the load it can serve, bare and with a {@link LaneFilter}
 * in front. Its {@code /record} endpoint reads a real file through {@link FileLanes}, a background
 * reindex scans the same disk, and {@code /health} must stay quick. A built-in open-loop load
 * generator sends twice the requests the service can answer, each client giving up after 2 s,
 * and the demo prints what the clients saw.
 *
 * <pre>
 * mvn -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.lanes.examples.http.ServiceDemo
 * </pre>
 *
 * <p>The filter's setup is the part to copy:
 *
 * <pre>{@code
 * Lane http = Lane.builder("http")         // guards the 22 worker threads of a pool of 24
 *     .algorithm("fixed").limits(1, 16, 16)
 *     .queueOrder(QueueOrder.LIFO)
 *     .maxQueued(64)
 *     .maxWait(Duration.ofMillis(250))
 *     .build();
 * LaneFilter filter = LaneFilter.builder(http)
 *     .bypass(RequestPaths.matching("/health"))
 *     .build();
 * filter.register(servletContext, "/*");
 * }</pre>
 */
public final class ServiceDemo {

  private static final long FILE_BYTES = 256L * 1024 * 1024;
  private static final int ROUNDS = 2;
  private static final int OVERLOAD = 2;
  private static final int CALIBRATION_CLIENTS = 48;
  private static final Duration PHASE = Duration.ofSeconds(5);
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final int REINDEX_THREADS = 2;
  private static final int REINDEX_BYTES = 512 * 1024;
  private static final int FRONT_QUEUE = 64;
  private static final Duration FRONT_WAIT = Duration.ofMillis(250);

  private ServiceDemo() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("lanes-http-demo-");
    Path file = dir.resolve("records.bin");
    try {
      DirectReads.writeRandomFile(file, FILE_BYTES);
      try (LaneRegistry registry = LaneRegistry.create();
          DirectReads blocks = new DirectReads(file)) {
        FileLanes files = registry.files();
        Lane disk = registry.forPath(file);
        System.out.printf(Locale.ROOT, "Lanes HTTP demo: Jetty with %d threads; GET /record reads"
                + " %d x %d KiB of %s (%d MiB, O_DIRECT %s) through disk lane '%s' (limit %d);%n"
                + "a reindex scans the same disk in %d threads (BACKGROUND, %d KiB reads);"
                + " clients give up after %d s.%n%n",
            DemoService.THREADS, DemoService.RECORDS_PER_REQUEST, DemoService.RECORD_BYTES / 1024,
            file, FILE_BYTES >> 20,
            blocks.direct() ? "on" : "off (page cache)", disk.name(), disk.limit(),
            REINDEX_THREADS, REINDEX_BYTES / 1024, DEADLINE.toSeconds());
        try (Reindex reindex = new Reindex(files, file, blocks)) {
          double capacity = calibrate(files, file, blocks);
          double rate = Math.max(50, OVERLOAD * capacity);
          System.out.printf(Locale.ROOT, "The bare service answers about %.0f requests/s;"
              + " offering %.0f/s, open loop, %d rounds of %.1f s with each set-up.%n%n",
              capacity, rate, ROUNDS, PHASE.toMillis() / 1000.0);

          // The front lane guards the worker threads, whose number is known: a fixed limit a
          // little below them, so /health always finds a thread. The disk lane underneath adapts.
          Lane http = Lane.builder("http")
              .algorithm("fixed")
              .limits(1, DemoService.THREADS - 8, DemoService.THREADS - 8)
              .queueOrder(QueueOrder.LIFO) // under a standing queue, serve the newest first
              .maxQueued(FRONT_QUEUE)      // refuse the rest at once, which costs least
              .maxWait(FRONT_WAIT)
              .build();
          LaneFilter filter = LaneFilter.builder(http)
              .bypass(RequestPaths.matching("/health"))
              .build();
          // The machine's load changes while the demo runs; alternating the two set-ups lets
          // both see the same conditions.
          Result bare = new Result();
          Result filtered = new Result();
          for (int round = 1; round <= ROUNDS; round++) {
            System.out.printf("Round %d of %d, no filter: every request takes a Jetty thread at"
                + " once.%n", round, ROUNDS);
            phase(bare, files, file, blocks, null, null, disk, reindex, rate);
            System.out.printf(Locale.ROOT, "Round %d of %d, with the filter: lane '%s' lets %d"
                    + " requests run, queues %d for at most %d ms, newest first; /health bypasses"
                    + " it.%n", round, ROUNDS, http.name(), http.limit(), FRONT_QUEUE,
                FRONT_WAIT.toMillis());
            phase(filtered, files, file, blocks, filter, http, disk, reindex, rate);
          }

          System.out.printf(Locale.ROOT, "%n%-10s %12s %12s %11s %8s %10s %11s %14s%n", "",
              "request p50", "request p99", "goodput/s", "503s", "timed out", "health p99",
              "reindex MiB/s");
          bare.print("no filter");
          filtered.print("filter");
          System.out.printf("(request latencies are of the answers 200; goodput counts them per"
              + " second of load; a client that%n waited %d s timed out; the reindex's rate is"
              + " over each set-up's whole time.)%n", DEADLINE.toSeconds());
          System.out.printf(Locale.ROOT, "%nWith the filter: goodput %.1fx, health p99 %.0fx lower,"
                  + " and %.0f%% of requests refused at once instead of %.0f%% timing out.%n",
              filtered.goodput / Math.max(1, bare.goodput),
              bare.healthP99 / Math.max(0.001, filtered.healthP99),
              100.0 * filtered.refused / filtered.sent, 100.0 * bare.timedOut / bare.sent);
        }
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * Requests a second the bare service answers to clients that never pause: the best of two
   * one-second counts after a one-second warm-up. The best, because on a shared machine a stall
   * only ever lowers a count.
   */
  private static double calibrate(FileLanes files, Path file, DirectReads blocks)
      throws Exception {
    try (DemoService service = new DemoService(files, file, blocks, null)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(service.uri("/record")).build();
      AtomicLong answered = new AtomicLong();
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CALIBRATION_CLIENTS; i++) {
        clients.add(new Thread(() -> {
          while (System.nanoTime() < end) {
            try {
              if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()
                  == 200) {
                answered.incrementAndGet();
              }
            } catch (IOException | InterruptedException e) {
              return;
            }
          }
        }));
      }
      clients.forEach(Thread::start);
      double best = 0;
      long before = 0;
      for (int second = 1; second <= 3; second++) {
        Thread.sleep(1000); // the counting cadence, not a synchronisation
        long now = answered.get();
        if (second > 1) {
          best = Math.max(best, now - before);
        }
        before = now;
      }
      for (Thread t : clients) {
        t.join();
      }
      return best;
    }
  }

  private static void phase(Result into, FileLanes files, Path file, DirectReads blocks,
      LaneFilter filter, Lane http, Lane disk, Reindex reindex, double rate) throws Exception {
    try (DemoService service = new DemoService(files, file, blocks, filter)) {
      long reindexedBefore = reindex.bytes.get();
      long began = System.nanoTime();
      LoadGenerator.Tally tally = new LoadGenerator().run(service.uri("/record"),
          service.uri("/health"), rate, PHASE, DEADLINE, second -> {
            LaneSnapshot d = disk.snapshot();
            String front = "";
            if (http != null) {
              LaneSnapshot h = http.snapshot();
              front = String.format(Locale.ROOT, " | http lane: in flight %2d, waiting %4d",
                  h.inFlight(), h.waiting());
            }
            System.out.printf(Locale.ROOT, "  %ds%s | disk lane: limit %2d, in flight %2d,"
                    + " NORMAL p99 %6.2f ms%n", second, front, d.limit(), d.inFlight(),
                d.latencyNanos(Priority.NORMAL, 0.99) / 1e6);
          });
      into.add(tally, PHASE.toNanos() / 1e9, reindex.bytes.get() - reindexedBefore,
          (System.nanoTime() - began) / 1e9);
    }
  }


  /** The phases of one set-up, as the clients saw them. */
  private static final class Result {
    private final LoadGenerator.Samples ok = new LoadGenerator.Samples();
    private final LoadGenerator.Samples health = new LoadGenerator.Samples();
    private double loadSeconds;
    private double seconds;
    private long reindexed;
    long refused;
    long timedOut;
    long sent;
    double goodput;
    double healthP99;

    void add(LoadGenerator.Tally tally, double loadSeconds, long reindexedBytes, double seconds) {
      ok.addAll(tally.ok);
      health.addAll(tally.health);
      this.loadSeconds += loadSeconds;
      this.seconds += seconds;
      this.reindexed += reindexedBytes;
      refused += tally.refused.get();
      timedOut += tally.timedOut.get() + tally.notSent.get();
      sent += tally.sent.get() + tally.notSent.get();
      goodput = ok.count() / this.loadSeconds;
      healthP99 = health.percentileMillis(0.99);
    }

    void print(String label) {
      System.out.printf(Locale.ROOT, "%-10s %9.1f ms %9.1f ms %11.0f %8d %10d %8.1f ms %14.1f%n",
          label, ok.percentileMillis(0.50), ok.percentileMillis(0.99), goodput, refused,
          timedOut, healthP99, reindexed / (1024.0 * 1024.0) / seconds);
    }
  }

  /** The background job: scans the file end to end, over and over, at BACKGROUND. */
  private static final class Reindex implements AutoCloseable {
    final AtomicLong bytes = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Reindex(FileLanes files, Path file, DirectReads blocks) {
      for (int i = 0; i < REINDEX_THREADS; i++) {
        long from = i * (blocks.size() / REINDEX_THREADS);
        Thread t = new Thread(() -> scan(files, file, blocks, from), "reindex-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void scan(FileLanes files, Path file, DirectReads blocks, long from) {
      ByteBuffer buffer = DirectReads.buffer(REINDEX_BYTES);
      long offset = from - from % REINDEX_BYTES;
      while (running) {
        if (offset + REINDEX_BYTES > blocks.size()) {
          offset = 0;
        }
        long at = offset;
        try {
          bytes.addAndGet(files.call(file, Priority.BACKGROUND, () -> blocks.read(buffer, at)));
        } catch (LaneRejectedException | IOException busy) {
          continue; // the lane made it wait too long behind NORMAL reads: try again
        }
        offset += REINDEX_BYTES;
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
