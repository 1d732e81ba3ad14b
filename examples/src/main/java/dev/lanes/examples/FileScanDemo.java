package dev.lanes.examples;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The first demo: request threads doing small random reads ({@code NORMAL}) while scan threads
 * read the same disk in large blocks ({@code BACKGROUND}). All reads are real, from a real file,
 * with {@code O_DIRECT} where the file system allows it. It runs twice: once with nothing between
 * the threads and the disk, once through a lane. It prints admissions, waits and p99 per priority
 * each second, and a comparison at the end.
 *
 * <pre>
 * mvn -q -pl examples -am -DskipTests package exec:java
 * </pre>
 */
public final class FileScanDemo {

  private static final int REQUEST_THREADS = 4;
  private static final int SCAN_THREADS = 16;
  private static final int REQUEST_BYTES = 4 * 1024;
  private static final int SCAN_BYTES = 256 * 1024;
  private static final long FILE_BYTES = 256L * 1024 * 1024;
  private static final Duration PHASE = Duration.ofSeconds(6);

  private FileScanDemo() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("lanes-demo-");
    Path file = dir.resolve("data.bin");
    try {
      DirectReads.writeRandomFile(file, FILE_BYTES);
      try (DirectReads reads = new DirectReads(file)) {
        System.out.printf(Locale.ROOT, "Lanes demo: %d request threads (NORMAL, random %d KiB reads)"
                + " and %d scan threads (BACKGROUND, %d KiB reads)%non %s, %d MiB, O_DIRECT %s,"
                + " %d s per phase.%n%n", REQUEST_THREADS, REQUEST_BYTES / 1024, SCAN_THREADS,
            SCAN_BYTES / 1024, file, FILE_BYTES >> 20, reads.direct() ? "on" : "off (page cache)",
            PHASE.toSeconds());

        System.out.println("Phase 1: no lane; scans and requests go straight to the disk.");
        Result unbounded = new Phase(reads, null).run();

        // -Dlanes.demo.queueOrder=FIFO compares the old default with ADAPTIVE, today's.
        QueueOrder order = QueueOrder.valueOf(
            System.getProperty("lanes.demo.queueOrder", QueueOrder.ADAPTIVE.name()));
        Lane lane = Lane.builder("disk")
            .limits(2, 8, 64)
            .backgroundReserve(1)
            .maxWait(Duration.ofSeconds(5))
            .queueOrder(order)
            .build();
        System.out.printf("%nPhase 2: through lane '%s' (algorithm gradient, limit from %d,"
            + " background reserve 1, queue %s).%n", lane.name(), lane.limit(), order);
        Result laned = new Phase(reads, lane).run();
        System.out.println("  final: " + lane.snapshot());

        System.out.printf(Locale.ROOT, "%n%-10s %14s %14s %14s%n", "", "request p50",
            "request p99", "scan MiB/s");
        unbounded.print("no lane");
        laned.print("lane");
        System.out.printf(Locale.ROOT, "%nRequest p99 is %.1fx lower through the lane; scans"
                + " keep %.0f%% of their throughput.%n",
            unbounded.requestP99 / laned.requestP99, 100.0 * laned.scanMiBs / unbounded.scanMiBs);
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }


  /** What a phase measured: request latency end to end (waiting included) and scan volume. */
  private static final class Result {
    final double requestP50;
    final double requestP99;
    final double scanMiBs;

    Result(long[] requestNanos, long scanBytes, Duration elapsed) {
      java.util.Arrays.sort(requestNanos);
      this.requestP50 = percentile(requestNanos, 0.50) / 1e6;
      this.requestP99 = percentile(requestNanos, 0.99) / 1e6;
      this.scanMiBs = scanBytes / (1024.0 * 1024.0) / (elapsed.toNanos() / 1e9);
    }

    void print(String label) {
      System.out.printf(Locale.ROOT, "%-10s %11.2f ms %11.2f ms %14.1f%n", label, requestP50,
          requestP99, scanMiBs);
    }

    private static double percentile(long[] sorted, double q) {
      return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(q * sorted.length) - 1];
    }
  }

  /** One timed run of every thread, reporting each second. */
  private static final class Phase {
    private final DirectReads reads;
    private final Lane lane;
    private final List<long[]> requestLatencies = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong scanBytes = new AtomicLong();
    private volatile boolean running = true;

    Phase(DirectReads reads, Lane lane) {
      this.reads = reads;
      this.lane = lane;
    }

    Result run() throws InterruptedException {
      List<Thread> threads = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int i = 0; i < REQUEST_THREADS; i++) {
        long[] latencies = new long[1 << 20];
        requestLatencies.add(latencies);
        int seed = i;
        threads.add(new Thread(() -> requestLoop(start, latencies, seed), "request-" + i));
      }
      for (int i = 0; i < SCAN_THREADS; i++) {
        long from = i * (reads.size() / SCAN_THREADS);
        threads.add(new Thread(() -> scanLoop(start, from), "scan-" + i));
      }
      threads.forEach(Thread::start);
      long began = System.nanoTime();
      start.countDown();
      for (long second = 1; second <= PHASE.toSeconds(); second++) {
        Thread.sleep(1000); // the demo's reporting cadence, not a synchronisation
        report(second);
      }
      running = false;
      for (Thread thread : threads) {
        thread.join();
      }
      long[] all = requestLatencies.stream().flatMapToLong(a -> java.util.Arrays.stream(a)
          .filter(n -> n > 0)).toArray();
      return new Result(all, scanBytes.get(), Duration.ofNanos(System.nanoTime() - began));
    }

    private void report(long second) {
      if (lane == null) {
        System.out.printf(Locale.ROOT, "  %ds: %,d requests, %,d MiB scanned%n", second,
            requests.get(), scanBytes.get() >> 20);
        return;
      }
      LaneSnapshot s = lane.snapshot();
      System.out.printf(Locale.ROOT, "  %ds: limit %2d, in flight %2d | NORMAL %,7d admitted,"
              + " %2d waiting, p99 %5.2f ms | BACKGROUND %,6d admitted, %2d waiting, p99 %5.2f ms%n",
          second, s.limit(), s.inFlight(),
          s.admitted(Priority.NORMAL), s.waiting(Priority.NORMAL),
          s.latencyNanos(Priority.NORMAL, 0.99) / 1e6,
          s.admitted(Priority.BACKGROUND), s.waiting(Priority.BACKGROUND),
          s.latencyNanos(Priority.BACKGROUND, 0.99) / 1e6);
    }

    private void requestLoop(CountDownLatch start, long[] latencies, int seed) {
      SplittableRandom random = new SplittableRandom(seed);
      ByteBuffer buffer = DirectReads.buffer(REQUEST_BYTES);
      long blocks = reads.size() / REQUEST_BYTES;
      awaitQuietly(start);
      int n = 0;
      while (running && n < latencies.length) {
        long offset = random.nextLong(blocks) * REQUEST_BYTES;
        long t0 = System.nanoTime();
        read(Priority.NORMAL, buffer, offset);
        latencies[n++] = System.nanoTime() - t0;
        requests.incrementAndGet();
      }
    }

    private void scanLoop(CountDownLatch start, long from) {
      ByteBuffer buffer = DirectReads.buffer(SCAN_BYTES);
      long offset = from - from % SCAN_BYTES;
      awaitQuietly(start);
      while (running) {
        if (offset + SCAN_BYTES > reads.size()) {
          offset = 0;
        }
        scanBytes.addAndGet(read(Priority.BACKGROUND, buffer, offset));
        offset += SCAN_BYTES;
      }
    }

    private int read(Priority priority, ByteBuffer buffer, long offset) {
      try {
        return lane == null ? reads.read(buffer, offset)
            : lane.call(priority, () -> reads.read(buffer, offset));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        return 0; // refused or timed out: counted by the lane and shown in its snapshot
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
