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
import jdk.jfr.consumer.RecordedFrame;
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
    Lane lane = Lane.builder("virtual").algorithm(new FixedLimit()).limits(1, LIMIT, LIMIT)
        .maxQueued(THREADS).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    bulkhead.changeConfig(BulkheadConfig.custom().maxConcurrentCalls(LIMIT)
        .maxWaitDuration(Duration.ofMinutes(2)).build());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch everyoneQueued = new CountDownLatch(1);
    Path jfr = dir.resolve("pinning.jfr");

    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
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
            .until(() -> lane.snapshot().waiting(Priority.NORMAL) == THREADS - LIMIT);
        everyoneQueued.countDown();
        for (Future<?> call : calls) {
          call.get();
        }
      }
      recording.stop();
      recording.dump(jfr);
    }

    assertThat(peak.get()).isEqualTo(LIMIT);
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(THREADS);
    List<RecordedEvent> pinnedInLanes = RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned"))
        .filter(VirtualThreadBulkheadTest::inLanes)
        .toList();
    assertThat(pinnedInLanes).isEmpty();
  }

  private static boolean inLanes(RecordedEvent event) {
    return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
        .map(RecordedFrame::getMethod)
        .anyMatch(m -> m.getType().getName().startsWith("dev.lanes."));
  }
}
