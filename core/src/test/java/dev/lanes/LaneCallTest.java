package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** call() releases the permit however the task ends, classifying failures with overloadOn. */
class LaneCallTest {

  private final ManualTicker ticker = new ManualTicker();

  private Lane lane(java.util.function.Predicate<Throwable> overloadOn) {
    LaneBuilder builder = Lane.builder("call").algorithm((w, l) -> l).limits(1, 2, 2)
        .ticker(ticker).maxWait(Duration.ofSeconds(1));
    return (overloadOn == null ? builder : builder.overloadOn(overloadOn)).build();
  }

  @Test
  void aSuccessfulCallRecordsItsLatency() throws Exception {
    Lane lane = lane(null);
    String result = lane.call(Priority.NORMAL, () -> {
      ticker.advance(Duration.ofMillis(3));
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().latencyNanos(Priority.NORMAL, 0.5))
        .isBetween(2_900_000L, 3_100_000L);
  }

  @Test
  void anOverloadFailureCountsAsADropByDefault() {
    Lane lane = lane(null);
    assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
      throw new SocketTimeoutException("read timed out");
    })).isInstanceOf(SocketTimeoutException.class);
    assertThat(lane.inFlight()).isZero();
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anyOtherFailureReleasesWithoutASample() {
    Lane lane = lane(null);
    assertThatThrownBy(() -> lane.call(Priority.BACKGROUND, () -> {
      throw new FileNotFoundException("/nope");
    })).isInstanceOf(FileNotFoundException.class);
    assertThat(lane.snapshot().ignored(Priority.BACKGROUND)).isEqualTo(1);
    assertThat(lane.snapshot().completed(Priority.BACKGROUND)).isZero();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void errorsAreRethrownAndReleaseThePermit() {
    Lane lane = lane(null);
    assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
      throw new StackOverflowError("deep");
    })).isInstanceOf(StackOverflowError.class);
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aThrowingOverloadPredicateLosesNoPermit() {
    Lane lane = lane(t -> {
      throw new IllegalStateException("predicate broke");
    });
    assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
      throw new IllegalArgumentException("task broke");
    })).isInstanceOf(IllegalArgumentException.class)
        .satisfies(t -> assertThat(t.getSuppressed()).hasSize(1));
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aCustomPredicateDecidesWhatIsOverload() {
    Lane lane = lane(t -> t instanceof IllegalStateException);
    assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
      throw new IllegalStateException("503");
    }));
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void aRefusedCallNeverRunsTheTask() throws Exception {
    Lane lane = Lane.builder("full").algorithm((w, l) -> l).limits(1, 1, 1)
        .maxWait(Duration.ZERO).build();
    Permit held = lane.acquire(Priority.NORMAL);
    assertThatThrownBy(() -> lane.call(Priority.NORMAL, () -> {
      throw new AssertionError("must not run");
    })).isInstanceOfSatisfying(LaneRejectedException.class, e -> {
      assertThat(e.reason()).isEqualTo(LaneRejectedException.Reason.LIMIT_REACHED);
      assertThat(e.laneName()).isEqualTo("full");
      assertThat(e.limit()).isEqualTo(1);
      assertThat(e.inFlight()).isEqualTo(1);
      assertThat(e.getMessage()).contains("full", "NORMAL", "LIMIT_REACHED");
    });
    held.close();
  }
}
