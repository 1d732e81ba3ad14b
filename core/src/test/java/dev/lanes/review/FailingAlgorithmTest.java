package dev.lanes.review;

import static dev.lanes.review.Fixtures.awaitQuietly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * Rule 9: "If the algorithm throws, the lane keeps its last limit." When {@code update} throws,
 * {@code LatencyWindow.propose} returns the limit it read before calling the algorithm, and the
 * lane applies it. Any change made while the algorithm ran (its own {@link LimitControl#propose}
 * from another thread, as the LimitControl Javadoc invites) is reverted, and listeners hear a
 * limit change that no one asked for.
 */
class FailingAlgorithmTest {

  @Test
  @Timeout(30)
  void aThrowingUpdateRevertsALimitProposedWhileItRan() throws Exception {
    CountDownLatch updating = new CountDownLatch(1);
    CountDownLatch mayThrow = new CountDownLatch(1);
    LimitControl[] control = new LimitControl[1];
    LimitAlgorithm algorithm = new LimitAlgorithm() {
      @Override
      public void attach(LimitControl lane) {
        control[0] = lane;
      }

      @Override
      public int update(WindowSummary window, int currentLimit) {
        updating.countDown();
        awaitQuietly(mayThrow);
        throw new IllegalStateException("algorithm failed");
      }
    };
    Lane lane = Lane.builder("throwing-update").algorithm(algorithm).limits(1, 2, 10)
        .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO))
        .build();

    Thread releaser = new Thread(
        () -> lane.tryAcquire(Priority.NORMAL).orElseThrow().close(), "closes-a-window");
    releaser.start();
    assertThat(updating.await(10, TimeUnit.SECONDS)).isTrue();
    control[0].propose(8); // e.g. an operator's or outside source's setting, while update runs
    assertThat(lane.limit()).isEqualTo(8);
    mayThrow.countDown();
    releaser.join();

    assertThat(lane.limit())
        .as("limit after update() threw; it was 8 when the algorithm failed")
        .isEqualTo(8);
  }
}
