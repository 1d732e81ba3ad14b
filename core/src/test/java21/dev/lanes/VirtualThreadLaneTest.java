package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On JDK 21+: ten thousand virtual threads read a real file through a lane of limit 8. Nearly all
 * of them wait in the lane, and waiting must unmount them: JFR must record no
 * {@code jdk.VirtualThreadPinned} event in Lanes code.
 */
class VirtualThreadLaneTest {

  private static final int THREADS = 10_000;
  private static final int LIMIT = 8;

  @TempDir
  Path dir;

  @Test
  void tenThousandVirtualThreadsWaitWithoutPinning() throws Exception {
    Path file = Files.write(dir.resolve("block.bin"), new byte[4096]);
    Lane lane = Lane.builder("virtual").algorithm((w, l) -> l).limits(1, LIMIT, LIMIT)
        .maxQueued(THREADS).maxWait(Duration.ofMinutes(2)).build();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    CountDownLatch everyoneQueued = new CountDownLatch(1);
    Path jfr = dir.resolve("pinning.jfr");

    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Integer>> reads = IntStream.range(0, THREADS)
            .mapToObj(i -> executor.submit(() -> lane.call(Priority.NORMAL, () -> {
              peak.accumulateAndGet(running.incrementAndGet(), Math::max);
              // The first holders keep their permits until everybody else waits in the lane.
              everyoneQueued.await();
              int length = Files.readAllBytes(file).length;
              running.decrementAndGet();
              return length;
            })))
            .toList();
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1))
            .until(() -> lane.snapshot().waiting(Priority.NORMAL) == THREADS - LIMIT);
        everyoneQueued.countDown();
        for (Future<Integer> read : reads) {
          assertThat(read.get()).isEqualTo(4096);
        }
      }
      recording.stop();
      recording.dump(jfr);
    }

    assertThat(lane.inFlight()).isZero();
    assertThat(peak.get()).isEqualTo(LIMIT);
    assertThat(lane.snapshot().admitted(Priority.NORMAL)).isEqualTo(THREADS);
    List<RecordedEvent> pinnedInLanes = RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned"))
        .filter(VirtualThreadLaneTest::inLanes)
        .toList();
    assertThat(pinnedInLanes).isEmpty();
  }

  private static boolean inLanes(RecordedEvent event) {
    return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
        .map(RecordedFrame::getMethod)
        .anyMatch(m -> m.getType().getName().startsWith("dev.lanes."));
  }
}
