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
    // The first calls load Lanes' classes, and a virtual thread that waits for another to load a
    // class is pinned (a JDK matter, once per class): a small crowd first keeps that out of the
    // recording.
    Lane warmUp = lane();
    assertThat(crowd(warmUp, file, 4 * LIMIT)).isEqualTo(LIMIT);

    Lane lane = lane();
    Path jfr = dir.resolve("pinning.jfr");
    int peak;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      peak = crowd(lane, file, THREADS);
      recording.stop();
      recording.dump(jfr);
    }

    assertThat(lane.inFlight()).isZero();
    assertThat(peak).isEqualTo(LIMIT);
    assertThat(lane.snapshot().admitted(Priority.NORMAL)).isEqualTo(THREADS);
    assertThat(PinnedInLanes.in(jfr)).isEmpty();
  }

  private static Lane lane() {
    return Lane.builder("virtual").algorithm((w, l) -> l).limits(1, LIMIT, LIMIT)
        .maxQueued(THREADS).maxWait(Duration.ofMinutes(2)).build();
  }

  /**
   * {@code threads} virtual threads read {@code file} through the lane; the first holders keep
   * their permits until everybody else waits in the lane. Returns the most reads at once.
   */
  private static int crowd(Lane lane, Path file, int threads) throws Exception {
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    CountDownLatch everyoneQueued = new CountDownLatch(1);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> reads = IntStream.range(0, threads)
          .mapToObj(i -> executor.submit(() -> lane.call(Priority.NORMAL, () -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            everyoneQueued.await();
            int length = Files.readAllBytes(file).length;
            running.decrementAndGet();
            return length;
          })))
          .toList();
      org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1))
          .until(() -> lane.snapshot().waiting(Priority.NORMAL) == threads - LIMIT);
      everyoneQueued.countDown();
      for (Future<Integer> read : reads) {
        assertThat(read.get()).isEqualTo(4096);
      }
    }
    return peak.get();
  }
}
