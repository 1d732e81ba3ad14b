package dev.lanes.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileLanes on real files on this machine's disk. */
class FileLanesTest {

  @TempDir
  Path dir;

  private final Lane lane = Lane.builder("disk").algorithm((w, l) -> l).limits(1, 2, 2)
      .maxWait(Duration.ofMinutes(1)).build();
  private final FileLanes files = FileLanes.of(path -> lane);

  @Test
  void readsAndWritesThroughTheLane() throws Exception {
    Path file = dir.resolve("a.bin");
    files.write(file, new byte[] {1, 2, 3}, Priority.NORMAL, StandardOpenOption.CREATE_NEW);
    files.write(file, new byte[] {4}, Priority.BACKGROUND, StandardOpenOption.APPEND);
    assertThat(files.readAllBytes(file)).containsExactly(1, 2, 3, 4);
    assertThat(files.readAllBytes(file, Priority.CRITICAL)).hasSize(4);
    assertThat(files.call(file, Priority.NORMAL, () -> Files.size(file))).isEqualTo(4L);

    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(3);
    assertThat(lane.snapshot().completed(Priority.BACKGROUND)).isEqualTo(1);
    assertThat(lane.snapshot().completed(Priority.CRITICAL)).isEqualTo(1);
  }

  @Test
  void anIoFailureIsRethrownAndReleasesThePermit() {
    assertThatThrownBy(() -> files.readAllBytes(dir.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().ignored(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void aRefusalIsALaneRejectedException() throws Exception {
    Lane full = Lane.builder("full").algorithm((w, l) -> l).limits(1, 1, 1)
        .maxWait(Duration.ZERO).build();
    Permit held = full.acquire(Priority.NORMAL);
    assertThatThrownBy(() -> FileLanes.of(p -> full).readAllBytes(dir))
        .isInstanceOfSatisfying(LaneRejectedException.class,
            e -> assertThat(e.laneName()).isEqualTo("full"));
    held.close();
  }

  @Test
  void anInterruptedWaitIsAnInterruptedIoExceptionAndKeepsTheFlag() throws Exception {
    Path file = Files.write(dir.resolve("b.bin"), new byte[] {7});
    Permit one = lane.acquire(Priority.NORMAL);
    Permit two = lane.acquire(Priority.NORMAL);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        files.readAllBytes(file);
      } catch (Throwable t) {
        failure.set(t);
        flag.set(Thread.currentThread().isInterrupted());
      }
    });
    reader.start();
    await().until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);
    reader.interrupt();
    reader.join();
    assertThat(failure.get()).isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("disk");
    assertThat(flag.get()).isTrue();
    one.close();
    two.close();
    assertThat(lane.inFlight()).isZero();
  }
}
