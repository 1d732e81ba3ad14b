package dev.lanes.review3;

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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * WindowConfig: a window closes "with any number of samples, once it has lasted maxDuration".
 *
 * <p>After a busy window the lane times one call in {@code k}, picked by admission number
 * ({@code Lane.timesCall}: {@code (releases + inFlight) & (k - 1) == 0}), and a window is checked
 * for closing only on a timed release that is not {@code ignore()}d ({@code LatencyWindow.released}
 * returns early for IGNORED, and {@code LanePermit.release} does not even read the clock for it).
 * A caller whose calls come in a fixed pattern, here "one call released with {@code ignore()}
 * (a miss, a client error), then one that succeeds", gets admission numbers of alternating
 * parity: when the ignored calls have the even numbers, every timed call is an ignored one, no
 * release ever checks the window, and the lane never closes another window: the algorithm stops
 * for good, whatever the time and the number of successes.
 *
 * <p>Deterministic (virtual time, one thread). The same pattern shifted by one call closes
 * windows; the test runs both alignments and expects both to close windows.
 */
class WindowStallsWhenTimedCallsAreIgnoredTest {

  private static final Duration MAX = Duration.ofMillis(10);

  static final class Clock implements dev.lanes.Ticker {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
      return now.get();
    }
  }

  /** Windows closed after the busy phase, for a pattern shifted by {@code shift} calls. */
  private static int windowsAfterBusyPhase(int shift) {
    Clock clock = new Clock();
    List<WindowSummary> windows = new CopyOnWriteArrayList<>();
    LimitAlgorithm algorithm = (window, limit) -> {
      windows.add(window);
      return limit;
    };
    Lane lane = Lane.builder("ignored-pattern").algorithm(algorithm).limits(4, 4, 4).ticker(clock)
        .window(WindowConfig.percentile(0.99).minSamples(10).minDuration(Duration.ofMillis(1))
            .maxDuration(MAX).timedCalls(10))
        .build();
    // Busy phase: 20,000 calls of 100 ns back to back; the lane goes on to time one call in k.
    for (int i = 0; i < 20_000; i++) {
      Permit p = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.now.addAndGet(100);
      p.close();
    }
    assertThat(windows).as("windows closed in the busy phase").isNotEmpty();
    for (int i = 0; i < shift; i++) {
      lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    }
    int before = windows.size();
    // One second (100 x maxDuration) of a steady pattern: every 100 us a miss released with
    // ignore(), then a successful 10 us read. 10,000 successes.
    for (int i = 0; i < 10_000; i++) {
      clock.now.addAndGet(100_000);
      Permit miss = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      Permit read = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      miss.ignore();
      clock.now.addAndGet(10_000);
      read.close();
    }
    int closed = windows.size() - before;
    System.out.printf("shift %d: %d windows closed in 1 s of virtual time (maxDuration %s);"
        + " completed NORMAL %d%n", shift, closed, MAX, lane.snapshot().completed(Priority.NORMAL));
    return closed;
  }

  @Test
  void windowsCloseWhateverTheAlignmentOfIgnoredCalls() {
    int[] closed = {windowsAfterBusyPhase(0), windowsAfterBusyPhase(1)};
    assertThat(closed[0]).as("windows closed, pattern aligned one way").isPositive();
    assertThat(closed[1]).as("windows closed, pattern aligned the other way").isPositive();
  }
}
