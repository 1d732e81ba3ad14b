package dev.lanes.review;

import static dev.lanes.review.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * WindowSummary.maxInFlight is "the most calls that were in flight at once during the window",
 * and the algorithms use it to tell a lane that uses its limit from one that does not. The lane
 * samples the peak only in {@code LatencyWindow.record}, i.e. on releases that carry a sample: a
 * peak whose calls end with {@code ignore()} (client errors, cancelled calls; the Netflix adapter
 * and the integrations ignore) or are untimed is never seen. Here 8 calls run at once, 7 end with
 * {@code ignore()}, and the window reports a peak of 1.
 */
class PeakInFlightTest {

  @Test
  void aPeakWhoseCallsAreIgnoredIsNotThePeak() {
    List<WindowSummary> windows = new CopyOnWriteArrayList<>();
    LimitAlgorithm algorithm = (window, limit) -> {
      windows.add(window);
      return limit;
    };
    Fixtures.Clock clock = new Fixtures.Clock();
    Lane lane = Lane.builder("peak").algorithm(algorithm).limits(8, 8, 8).ticker(clock)
        .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO))
        .build();
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      permits.add(take(lane, Priority.NORMAL));
    }
    assertThat(lane.inFlight()).isEqualTo(8);
    clock.advanceMillis(1);
    for (int i = 0; i < 7; i++) {
      permits.get(i).ignore();
    }
    permits.get(7).close(); // the one sample: closes the window

    assertThat(windows).hasSize(1);
    assertThat(windows.get(0).maxInFlight())
        .as("peak in flight of a window during which 8 calls ran at once: %s", windows.get(0))
        .isEqualTo(8);
  }
}
