package dev.lanes.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FixedLimitTest {

  @Test
  void neverMoves() {
    FixedLimit keep = new FixedLimit();
    FixedLimit four = FixedLimit.of(4);
    for (long tail : new long[] {1_000, 1_000_000_000, 5}) {
      assertThat(keep.update(Window.busy(tail, 9), 9)).isEqualTo(9);
      assertThat(four.update(new Window(10, 10, tail, 1), 9)).isEqualTo(4);
    }
  }

  @Test
  void everyAlgorithmIsRegisteredByNameAndGradientIsTheDefault() {
    assertThat(LimitAlgorithms.names()).contains("gradient", "aimd", "vegas", "fixed");
    assertThat(LimitAlgorithms.create("vegas")).get().isInstanceOf(TailVegasLimit.class);

    Lane lane = Lane.builder("default").limits(1, 8, 64)
        .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO))
        .build();
    // The default algorithm learns its baseline from the first window and keeps the limit: the
    // lane was only filling up, and nothing was held back.
    lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    assertThat(lane.limit()).isEqualTo(8);
    assertThat(lane.snapshot().lastWindow()).isPresent();
  }
}
