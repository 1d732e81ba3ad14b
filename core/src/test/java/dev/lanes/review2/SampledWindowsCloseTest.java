package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * Sampled timing ({@code LatencyWindow}, {@code Lane.timesCall}): after a busy window the lane
 * times one call in {@code k} ({@code timingMask}), and a window is checked for closing only on
 * a timed release. {@code k} is revised only when a window closes. WindowConfig promises that a
 * window closes "with any number of samples, once it has lasted maxDuration" ("The longest a
 * window lasts"), and LatencyWindow's Javadoc that timed releases "come at least timedCalls times
 * per window". Neither holds:
 *
 * <ol>
 *   <li>After the rate falls, the window is open until {@code k} more calls have completed,
 *       however long that takes: here 50 x maxDuration with a call every millisecond, and the
 *       algorithm never runs.</li>
 *   <li>The timed calls are picked by the release count at admission, {@code (releases & (k-1))
 *       == 0}. A caller that fans out two calls at a time (acquire, acquire, release, release)
 *       admits both at the same count, and the count moves by 2 per pair: from an odd count, no
 *       call is ever timed again. The window never closes, for any time and any number of calls,
 *       and the lane's latency figures freeze.</li>
 * </ol>
 */
class SampledWindowsCloseTest {

  private static final Duration MAX = Duration.ofMillis(10);

  private final Clock clock = new Clock();
  private final List<WindowSummary> windows = new CopyOnWriteArrayList<>();
  private final LimitAlgorithm algorithm = (window, limit) -> {
    windows.add(window);
    return limit;
  };

  private Lane busyLane() {
    Lane lane = Lane.builder("sampled").algorithm(algorithm).limits(4, 4, 4).ticker(clock)
        .window(WindowConfig.percentile(0.99).minSamples(10).minDuration(Duration.ofMillis(1))
            .maxDuration(MAX).timedCalls(10))
        .build();
    // A busy phase: 20,000 calls of 100 ns, back to back, 10 million a second: two windows close
    // and the lane goes on to time one call in k (k = 512 here).
    for (int i = 0; i < 20_000; i++) {
      Permit p = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.advanceNanos(100);
      p.close();
    }
    assertThat(windows).as("windows closed in the busy phase").isNotEmpty();
    return lane;
  }

  /**
   * After the fix: the lane times one call in k, with k small enough that a hundred-fold fall in
   * the rate still brings a timed call, and so a check, within maxDuration: windows close within
   * twice their maxDuration. (A fall beyond that is covered by the test below: windows close late
   * by about F × k / rate, and the first window at the new rate times every call again.)
   */
  @Test
  void afterAHundredFoldFallInRateWindowsStillCloseWithinTwiceTheirMaxDuration() {
    Lane lane = busyLane();
    int before = windows.size();
    // 5,000 calls, one every 10 µs: 100,000 a second, a hundredth of the busy phase's rate.
    for (int i = 0; i < 5_000; i++) {
      clock.advanceNanos(10_000);
      Permit p = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.advanceNanos(100);
      p.close();
    }
    List<WindowSummary> after = windows.subList(before, windows.size());
    assertThat(after).isNotEmpty();
    WindowSummary longest = after.stream()
        .max((x, y) -> Long.compare(x.endNanos() - x.startNanos(), y.endNanos() - y.startNanos()))
        .orElseThrow();
    assertThat(Duration.ofNanos(longest.endNanos() - longest.startNanos()))
        .as("longest window after the rate fell (maxDuration %s): %s", MAX, longest)
        .isLessThanOrEqualTo(MAX.multipliedBy(2));
  }

  @Test
  void afterATenThousandFoldFallInRateWindowsCloseAndTimeEveryCallAgain() {
    Lane lane = busyLane();
    int before = windows.size();
    for (int i = 0; i < 2_000; i++) { // one call a millisecond, for 2 s
      clock.advanceMillis(1);
      Permit p = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.advanceNanos(100_000);
      p.close();
    }
    List<WindowSummary> after = windows.subList(before, windows.size());
    assertThat(after).as("windows closed at the new rate").hasSizeGreaterThan(2);
    WindowSummary last = after.get(after.size() - 1);
    assertThat(last.samples()).as("every call timed again: %s", last).isEqualTo(last.calls());
  }

  @Test
  void aCallerThatFansOutTwoCallsAtATimeIsNeverTimedAndTheWindowNeverCloses() {
    Lane lane = busyLane();
    // One more single call makes the release count odd.
    Permit single = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    clock.advanceNanos(100);
    single.close();
    int before = windows.size();
    long timedBefore = lane.snapshot().timed(Priority.NORMAL);
    // 10 s of pairs: each request reads two things in parallel, 100 µs each, 1,000 a second.
    for (int i = 0; i < 10_000; i++) {
      clock.advanceMillis(1);
      Permit a = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      Permit b = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.advanceNanos(100_000);
      a.close();
      b.close();
    }
    long timed = lane.snapshot().timed(Priority.NORMAL) - timedBefore;
    assertThat(windows.size() - before)
        .as("windows closed in 10 s of virtual time and 20,000 calls (maxDuration %s);"
            + " calls timed in that time: %d", MAX, timed)
        .isGreaterThan(0);
  }
}
