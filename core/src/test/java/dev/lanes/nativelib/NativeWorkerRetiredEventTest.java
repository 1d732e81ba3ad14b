package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.lanes.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR event {@code dev.lanes.NativeWorkerRetired}: recorded, dumped to a file, read back. */
class NativeWorkerRetiredEventTest {

  @TempDir
  Path dir;

  @Test
  void aRetiredWorkerIsRecordedWithItsLibraryNameAndCause() throws Exception {
    Path file = dir.resolve("retired.jfr");
    AtomicBoolean failInit = new AtomicBoolean();
    String crashedOn;
    try (Recording recording = new Recording()) {
      recording.enable(NativeWorkerRetired.class);
      recording.start();
      try (NativeLane lane = NativeLane.builder("jfr-lib").threads(1).criticalThreads(0)
          .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)))
          .threadInit(() -> {
            if (failInit.getAndSet(false)) {
              throw new IllegalStateException("simulated: init refused");
            }
          })
          .build()) {
        crashedOn = lane.call(Priority.NORMAL, () -> Thread.currentThread().getName());
        failInit.set(true); // the replacement's threadInit fails once, and is retired too
        assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
          throw new InternalError("simulated crash in native code");
        })).isInstanceOf(InternalError.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> lane.retiredWorkers() == 2);
        assertThat(lane.call(Priority.NORMAL, () -> "served")).isEqualTo("served");
      }
      recording.stop();
      recording.dump(file);
    }

    List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals("dev.lanes.NativeWorkerRetired"))
        .collect(Collectors.toList());
    assertThat(events).hasSize(2);
    RecordedEvent crash = events.stream()
        .filter(e -> e.getString("cause").startsWith("java.lang.InternalError")).findFirst()
        .orElseThrow();
    assertThat(crash.getString("library")).isEqualTo("jfr-lib");
    assertThat(crash.getString("worker")).isEqualTo(crashedOn);
    assertThat(crash.getString("cause"))
        .isEqualTo("java.lang.InternalError: simulated crash in native code");
    RecordedEvent init = events.stream().filter(e -> e != crash).findFirst().orElseThrow();
    assertThat(init.getString("library")).isEqualTo("jfr-lib");
    assertThat(init.getString("worker")).startsWith("lanes-native-jfr-lib-")
        .isNotEqualTo(crashedOn);
    assertThat(init.getString("cause"))
        .isEqualTo("java.lang.IllegalStateException: simulated: init refused");
    assertThat(crash.getEventType().getCategoryNames()).containsExactly("Lanes");
    assertThat(crash.getEventType().getLabel()).isNotBlank();
    assertThat(crash.getEventType().getDescription()).isNotBlank();
  }
}
