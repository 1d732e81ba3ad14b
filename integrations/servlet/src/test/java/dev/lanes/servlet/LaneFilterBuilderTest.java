package dev.lanes.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

/** The builder's checks, the standard outcome mapping, and the Retry-After estimate. */
class LaneFilterBuilderTest {

  private final Lane lane = Lane.builder("unit").algorithm((w, l) -> l).limits(1, 1, 1).build();

  @Test
  void refusesBadSettingsNamingThem() {
    LaneFilter.Builder builder = LaneFilter.builder(lane);
    assertThatThrownBy(() -> builder.rejectStatus(200)).hasMessageContaining("rejectStatus");
    assertThatThrownBy(() -> builder.rejectStatus(600)).hasMessageContaining("rejectStatus");
    assertThatThrownBy(() -> builder.maxWait(Duration.ofMillis(-1)))
        .hasMessageContaining("maxWait");
    assertThatThrownBy(() -> builder.priority(null)).hasMessageContaining("priority");
    assertThatThrownBy(() -> builder.bypass(null)).hasMessageContaining("bypass");
    assertThatThrownBy(() -> builder.outcome(null)).hasMessageContaining("outcome");
    assertThatThrownBy(() -> LaneFilter.builder((Lane) null)).hasMessageContaining("lane");
    assertThat(builder.rejectStatus(429).maxWait(Duration.ZERO).build().toString())
        .contains("unit", "429", "PT0S");
  }

  @Test
  void theStandardOutcomeReadsStatusAndFailure() {
    OutcomeMapping standard = OutcomeMapping.standard();
    assertThat(standard.map(200, null, lane)).isEqualTo(Outcome.SUCCESS);
    assertThat(standard.map(404, null, lane)).isEqualTo(Outcome.SUCCESS);
    assertThat(standard.map(429, null, lane)).isEqualTo(Outcome.SUCCESS);
    assertThat(standard.map(503, null, lane)).isEqualTo(Outcome.DROPPED);
    assertThat(standard.map(504, null, lane)).isEqualTo(Outcome.DROPPED);
    assertThat(standard.map(500, null, lane)).isEqualTo(Outcome.IGNORED);
    assertThat(standard.map(502, null, lane)).isEqualTo(Outcome.IGNORED);
    assertThat(standard.map(200, new TimeoutException(), lane)).isEqualTo(Outcome.DROPPED);
    assertThat(standard.map(200, new ServletException(new TimeoutException()), lane))
        .as("a wrapped overload").isEqualTo(Outcome.DROPPED);
    assertThat(standard.map(200, new IOException("broken pipe"), lane))
        .isEqualTo(Outcome.IGNORED);
    assertThat(standard.map(503, new IllegalStateException(), lane))
        .as("a failure decides before the status").isEqualTo(Outcome.IGNORED);

    Lane custom = Lane.builder("custom").algorithm((w, l) -> l)
        .overloadOn(t -> t instanceof IOException).build();
    assertThat(standard.map(200, new IOException(), custom)).isEqualTo(Outcome.DROPPED);
    assertThat(standard.map(200, new TimeoutException(), custom)).isEqualTo(Outcome.IGNORED);
  }

  @Test
  void retryAfterIsTheWaitBeforeTheLaneHasMeasuredAnything() {
    assertThat(LaneFilter.retryAfterSeconds(lane.snapshot(), Duration.ofSeconds(5))).isEqualTo(5);
    assertThat(LaneFilter.retryAfterSeconds(lane.snapshot(), Duration.ofMillis(1500)))
        .isEqualTo(2);
    assertThat(LaneFilter.retryAfterSeconds(lane.snapshot(), Duration.ZERO)).isEqualTo(1);
    assertThat(LaneFilter.retryAfterSeconds(lane.snapshot(), Duration.ofHours(1))).isEqualTo(60);
  }

  @Test
  void retryAfterIsTheTimeToServeTheQueueAtTheMeasuredRate() throws Exception {
    AtomicLong now = new AtomicLong();
    Lane measured = Lane.builder("measured")
        .algorithm((w, l) -> l)
        .limits(1, 1, 1)
        .ticker(now::get)
        .window(WindowConfig.percentile(0.99).minSamples(10).minDuration(Duration.ofSeconds(1))
            .maxDuration(Duration.ofSeconds(10)))
        .build();
    for (int i = 0; i < 10; i++) { // 10 calls in 1 s of lane time: 10 per second
      Permit permit = measured.tryAcquire(Priority.NORMAL).orElseThrow();
      now.addAndGet(Duration.ofMillis(100).toNanos());
      permit.close();
    }
    assertThat(measured.snapshot().lastWindow()).isPresent();
    Permit held = measured.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = new ArrayList<>();
    for (int i = 0; i < 29; i++) {
      waiters.add(measured.acquireAsync(Priority.NORMAL, Duration.ofMinutes(1)));
    }

    // 29 waiting and one more, at 10 per second: 3 seconds.
    assertThat(LaneFilter.retryAfterSeconds(measured.snapshot(), Duration.ofSeconds(1)))
        .isEqualTo(3);

    waiters.forEach(w -> w.cancel(false));
    held.close();
    assertThat(measured.inFlight()).isZero();
  }
}
