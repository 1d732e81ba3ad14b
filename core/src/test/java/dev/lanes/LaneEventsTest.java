package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.LaneRejectedException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lane's flight-recorder events, recorded for real and read back from the file. */
class LaneEventsTest {

  @TempDir
  Path dir;

  private List<RecordedEvent> record(String lane, ThrowingRunnable scenario) throws Exception {
    Path file = dir.resolve("lanes.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("dev.lanes.LimitChanged");
      recording.enable("dev.lanes.WindowClosed");
      recording.enable("dev.lanes.Rejected");
      recording.start();
      scenario.run();
      recording.stop();
      recording.dump(file);
    }
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> lane.equals(e.getString("lane")))
        .collect(Collectors.toList());
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name))
        .collect(Collectors.toList());
  }

  @Test
  void aLimitChangeIsRecordedWithTheWindowBehindIt() throws Exception {
    ManualTicker ticker = new ManualTicker();
    SteerableAlgorithm algorithm = new SteerableAlgorithm(4);
    Lane lane = SteerableAlgorithm.lane("jfr-limit", algorithm, 1, 4, 16).ticker(ticker).build();

    List<RecordedEvent> events = record("jfr-limit", () -> {
      algorithm.target = 9;
      Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      ticker.advance(Duration.ofMillis(3));
      permit.close(); // closes a window of one 3 ms sample; the algorithm says 9
    });

    List<RecordedEvent> changes = named(events, "dev.lanes.LimitChanged");
    assertThat(changes).hasSize(1);
    RecordedEvent change = changes.get(0);
    assertThat(change.getInt("oldLimit")).isEqualTo(4);
    assertThat(change.getInt("newLimit")).isEqualTo(9);
    assertThat(change.getString("algorithm")).isEqualTo("SteerableAlgorithm");
    assertThat(change.getInt("samples")).isEqualTo(1);
    assertThat(change.getInt("drops")).isZero();
    assertThat(change.getDouble("quantile")).isEqualTo(0.99);
    assertThat(change.getDuration("tail").toNanos()).isBetween(2_900_000L, 3_100_000L);
    assertThat(change.getDuration("typical").toNanos()).isBetween(2_900_000L, 3_100_000L);
    assertThat(change.getInt("peakInFlight")).isEqualTo(1);
    assertThat(named(events, "dev.lanes.WindowClosed")).hasSize(1);
    assertThat(named(events, "dev.lanes.WindowClosed").get(0).getInt("limit")).isEqualTo(9);
  }

  @Test
  void refusalsAreRecordedThrottledWithTheCountTheyStandFor() throws Exception {
    Lane lane = Lane.builder("jfr-refusals").algorithm((w, l) -> l).limits(1, 1, 1).build();
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();

    List<RecordedEvent> events = record("jfr-refusals", () -> {
      for (int i = 0; i < 1_000; i++) {
        lane.tryAcquire(Priority.NORMAL); // LIMIT_REACHED, a thousand times in far under 100 ms
      }
      lane.close();
      lane.tryAcquire(Priority.BACKGROUND); // CLOSED
    });
    held.close();

    List<RecordedEvent> refusals = named(events, "dev.lanes.Rejected");
    List<RecordedEvent> limit = refusals.stream()
        .filter(e -> e.getString("reason").equals("LIMIT_REACHED")).collect(Collectors.toList());
    assertThat(limit).hasSizeBetween(1, 20); // one per 100 ms at most, however slow the machine
    assertThat(limit.get(0).getString("priority")).isEqualTo("NORMAL");
    assertThat(limit.get(0).getLong("count")).isEqualTo(1); // the first refusal reports at once
    long reported = limit.stream().mapToLong(e -> e.getLong("count")).sum();
    assertThat(reported).isLessThanOrEqualTo(1_000);
    assertThat(lane.snapshot().rejected(Priority.NORMAL, Reason.LIMIT_REACHED)).isEqualTo(1_000);
    List<RecordedEvent> closed = refusals.stream()
        .filter(e -> e.getString("reason").equals("CLOSED")).collect(Collectors.toList());
    assertThat(closed).hasSize(1);
    assertThat(closed.get(0).getString("priority")).isEqualTo("BACKGROUND");
  }

  @Test
  void everyEventTypeIsLabelledDescribedAndInTheLanesCategory() throws Exception {
    SteerableAlgorithm algorithm = new SteerableAlgorithm(2);
    Lane lane = SteerableAlgorithm.lane("jfr-types", algorithm, 1, 2, 4).build();
    record("jfr-types", () -> {
      algorithm.steer(lane, 3); // one of each event: a window, a limit change...
      lane.close();
      lane.tryAcquire(Priority.NORMAL); // ...and a refusal
    });
    List<EventType> types = FlightRecorder.getFlightRecorder().getEventTypes().stream()
        .filter(t -> t.getName().startsWith("dev.lanes."))
        .collect(Collectors.toList());
    assertThat(types).extracting(EventType::getName)
        .contains("dev.lanes.LimitChanged", "dev.lanes.WindowClosed", "dev.lanes.Rejected");
    for (EventType type : types) {
      assertThat(type.getLabel()).as(type.getName()).isNotBlank();
      assertThat(type.getDescription()).as(type.getName()).isNotBlank();
      assertThat(type.getCategoryNames()).as(type.getName()).containsExactly("Lanes");
    }
    EventType window = types.stream().filter(t -> t.getName().equals("dev.lanes.WindowClosed"))
        .findFirst().orElseThrow();
    assertThat(window.getSettingDescriptors().stream()
        .filter(s -> s.getName().equals("enabled")).findFirst().orElseThrow().getDefaultValue())
        .as("WindowClosed is off unless asked for").isEqualTo("false");
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
