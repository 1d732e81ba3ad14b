package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On JDK 21+: thousands of virtual threads go through a bulkhead of 8, half through Resilience4j's
 * synchronous decorator (whose permits the bulkhead books per thread), half through completion
 * stages finished on other virtual threads. They wait in the lane without pinning a carrier, and
 * every permit comes back.
 */
class VirtualThreadBulkheadTest {

  private static final int THREADS = 4_000;
  private static final int LIMIT = 8;

  @TempDir
  Path dir;

  @Test
  void thousandsOfVirtualThreadsShareABulkheadWithoutPinningOrLeaking() throws Exception {
    // The first calls load Lanes' classes, and a virtual thread that waits for another to load a
    // class is pinned (a JDK matter, once per class); a small crowd first keeps that out of the
    // recording.
    LaneBulkhead warmUp = bulkhead();
    crowd(warmUp, 4 * LIMIT);
    assertThat(warmUp.lane().inFlight()).isZero();

    LaneBulkhead bulkhead = bulkhead();
    Path jfr = dir.resolve("pinning.jfr");
    int peak;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      peak = crowd(bulkhead, THREADS);
      recording.stop();
      recording.dump(jfr);
    }

    Lane lane = bulkhead.lane();
    assertThat(peak).isEqualTo(LIMIT);
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(THREADS);
    List<RecordedEvent> pinnedInLanes = RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned"))
        .filter(VirtualThreadBulkheadTest::inLanes)
        .toList();
    assertThat(pinnedInLanes).isEmpty();
  }

  private static LaneBulkhead bulkhead() {
    Lane lane = Lane.builder("virtual").algorithm(new FixedLimit()).limits(1, LIMIT, LIMIT)
        .maxQueued(THREADS).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(LIMIT)
        .maxWaitDuration(Duration.ofMinutes(2)).build());
    return bulkhead;
  }

  /**
   * {@code threads} virtual threads call through the bulkhead, alternately synchronous and by
   * completion stage; the first {@code LIMIT} hold their permits until all others wait in the
   * lane. Returns the most calls that ran at once.
   */
  private static int crowd(LaneBulkhead bulkhead, int threads) throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch everyoneQueued = new CountDownLatch(1);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        boolean sync = i % 2 == 0;
        calls.add(executor.submit(() -> {
          if (sync) {
            Bulkhead.decorateCallable(bulkhead, () -> {
              peak.accumulateAndGet(running.incrementAndGet(), Math::max);
              everyoneQueued.await();
              running.decrementAndGet();
              return null;
            }).call();
          } else {
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Void> stage = Bulkhead.decorateCompletionStage(bulkhead, () -> {
              peak.accumulateAndGet(running.incrementAndGet(), Math::max);
              executor.submit(() -> {
                everyoneQueued.await();
                running.decrementAndGet();
                return done.complete(null); // finishes the stage on another virtual thread
              });
              return done;
            }).get().toCompletableFuture();
            stage.get();
          }
          return null;
        }));
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1))
          .until(() -> bulkhead.lane().snapshot().waiting(Priority.NORMAL) == threads - LIMIT);
      everyoneQueued.countDown();
      for (Future<?> call : calls) {
        call.get();
      }
    }
    return peak.get();
  }

  /**
   * Pinned with Lanes' main code on the stack. The test's own frames do not count: it blocks in
   * {@code CompletableFuture.get()}, where JDK 25 may pin while another thread initialises the
   * future's {@code Signaller} class, and that says nothing about Lanes.
   */
  private static boolean inLanes(RecordedEvent event) {
    return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
        .map(frame -> frame.getMethod().getType().getName())
        .anyMatch(VirtualThreadBulkheadTest::isLanesMainCode);
  }

  private static boolean isLanesMainCode(String className) {
    int nested = className.indexOf('$');
    String outer = nested < 0 ? className : className.substring(0, nested);
    return outer.startsWith("dev.lanes.") && !outer.endsWith("Test");
  }
}
