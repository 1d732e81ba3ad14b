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
 *
 * <p>Root cause of both tests here: which calls are timed is a fixed function of the admission
 * number, so any caller whose calls repeat with an even period (one thread's request loop) has
 * the same position in its period timed every time: the ignored one (no window ever closes), or
 * the fast one (the window's percentiles describe only that kind of call).
 */
class TimedCallAliasingTest {

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

  /** The last window's p99 for a lane fed "a 2 us stat, then a 40 us read", shifted by one call. */
  private static long lastWindowP99(int shift) {
    Clock clock = new Clock();
    List<WindowSummary> windows = new CopyOnWriteArrayList<>();
    LimitAlgorithm algorithm = (window, limit) -> {
      windows.add(window);
      return limit;
    };
    Lane lane = Lane.builder("stat-then-read").algorithm(algorithm).limits(4, 4, 4).ticker(clock)
        .window(WindowConfig.defaults()).build();
    for (int i = 0; i < shift; i++) {
      lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    }
    // Two seconds of one request loop: stat a file (2 us), then read it (40 us). About 48,000
    // calls a second: the lane times one call in 4 after its first window.
    for (int i = 0; i < 48_000; i++) {
      Permit stat = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.now.addAndGet(2_000);
      stat.close();
      Permit read = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      clock.now.addAndGet(40_000);
      read.close();
    }
    WindowSummary last = windows.get(windows.size() - 1);
    System.out.printf("shift %d: %d windows; last window: %d samples of %d calls, p50 %d us,"
        + " p99 %d us%n", shift, windows.size(), last.samples(), (long) (last.completionsPerSecond()
        * (last.endNanos() - last.startNanos()) / 1e9), last.percentileNanos(0.5) / 1000,
        last.percentileNanos(0.99) / 1000);
    return last.percentileNanos(0.99);
  }

  /**
   * The same aliasing, with no ignore() at all: a loop whose calls alternate between a fast and a
   * slow kind has only one kind timed, for good (k stays 4 at this rate). Half the calls take
   * 40 us; the window the algorithm sees says p99 2 us under one alignment.
   */
  @Test
  void aWindowsP99SeesBothKindsOfCallOfAnAlternatingLoop() {
    long[] p99 = {lastWindowP99(0), lastWindowP99(1)};
    assertThat(p99[0]).as("last window's p99, aligned one way (half the calls take 40 us)")
        .isGreaterThanOrEqualTo(30_000);
    assertThat(p99[1]).as("last window's p99, aligned the other way (half the calls take 40 us)")
        .isGreaterThanOrEqualTo(30_000);
  }
}
