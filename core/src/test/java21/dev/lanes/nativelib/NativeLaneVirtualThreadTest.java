package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;

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
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
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
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Long>> results = IntStream.range(0, 1_000)
            .mapToObj(i -> callers.submit(() -> zlib.call(Priority.NORMAL, () -> {
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
      recording.stop();
      recording.dump(jfr);
      assertThat(zlib.lane().inFlight()).isZero();
      assertThat(zlib.lane().snapshot().completed(Priority.NORMAL)).isEqualTo(1_000);
    }
    List<RecordedEvent> pinnedInLanes = RecordingFile.readAllEvents(jfr).stream()
        .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned"))
        .filter(e -> e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
            .map(RecordedFrame::getMethod)
            .anyMatch(m -> m.getType().getName().startsWith("dev.lanes.")))
        .toList();
    assertThat(pinnedInLanes).isEmpty();
  }
}
