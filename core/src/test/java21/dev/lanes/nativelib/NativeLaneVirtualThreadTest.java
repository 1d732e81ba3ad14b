package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.PinnedInLanes;
import dev.lanes.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On JDK 21+: virtual threads call zlib (JNI) through a native lane. The native work runs on the
 * lane's platform workers; the virtual callers only wait, and must not pin their carriers doing
 * so: JFR records no {@code jdk.VirtualThreadPinned} event in Lanes code.
 */
class NativeLaneVirtualThreadTest {

  @TempDir
  Path dir;

  @Test
  void virtualCallersWaitForNativeWorkWithoutPinning() throws Exception {
    byte[] data = new byte[64 * 1024];
    new java.util.Random(7).nextBytes(data);
    Path jfr = dir.resolve("native.jfr");
    try (NativeLane zlib = NativeLane.builder("zlib").threads(2)
            .lane(lane -> lane.algorithm((w, l) -> l).maxQueued(2_000)
                .maxWait(Duration.ofMinutes(1)))
            .build();
        Recording recording = new Recording()) {
      // The first calls load Lanes' classes, and a virtual thread that waits for another to load
      // a class is pinned (a JDK matter, once per class): a few calls first keep that out of the
      // recording.
      compress(zlib, data, 16);
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      compress(zlib, data, 1_000);
      recording.stop();
      recording.dump(jfr);
      assertThat(zlib.lane().inFlight()).isZero();
      assertThat(zlib.lane().snapshot().completed(Priority.NORMAL)).isEqualTo(16 + 1_000);
    }
    assertThat(PinnedInLanes.in(jfr)).isEmpty();
  }

  /** {@code callers} virtual threads deflate {@code data} through the lane, on its workers. */
  private static void compress(NativeLane zlib, byte[] data, int callers) throws Exception {
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Long>> results = IntStream.range(0, callers)
          .mapToObj(i -> threads.submit(() -> zlib.call(Priority.NORMAL, () -> {
            assertThat(Thread.currentThread().isVirtual()).isFalse();
            Deflater deflater = new Deflater();
            deflater.setInput(data);
            deflater.finish();
            byte[] out = new byte[data.length + 1024];
            int n = deflater.deflate(out);
            deflater.end();
            CRC32 crc = new CRC32();
            crc.update(out, 0, n);
            return crc.getValue();
          })))
          .toList();
      long first = results.get(0).get();
      for (Future<Long> result : results) {
        assertThat(result.get()).isEqualTo(first);
      }
    }
  }
}
