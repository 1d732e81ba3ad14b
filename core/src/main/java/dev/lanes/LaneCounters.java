package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals per priority, striped so that busy lanes do not contend on them. Each only ever
 * goes up, so a reader (a metrics scrape) never sees a total fall.
 *
 * <p>A success whose latency was timed is counted by the histogram it goes into, for free; only
 * the others are counted here.
 */
final class LaneCounters {

  private static final int PRIORITIES = Priority.values().length;
  private static final int REASONS = Reason.values().length;

  private final LongAdder[] admitted = adders(PRIORITIES);
  private final LongAdder[] untimed = adders(PRIORITIES);
  private final LongAdder[] bypassed = adders(PRIORITIES);
  private final LongAdder[] dropped = adders(PRIORITIES);
  private final LongAdder[] ignored = adders(PRIORITIES);
  private final LongAdder[] rejected = adders(PRIORITIES * REASONS);

  void admitted(Priority priority) {
    admitted[priority.ordinal()].increment();
  }

  void bypassed(Priority priority) {
    bypassed[priority.ordinal()].increment();
  }

  /**
   * Counts a release; {@code countSuccess} says whether a success is counted here, because it was
   * not timed.
   */
  void released(Priority priority, int outcome, boolean countSuccess) {
    if (outcome == LanePermit.DROPPED) {
      dropped[priority.ordinal()].increment();
    } else if (outcome == LanePermit.IGNORED) {
      ignored[priority.ordinal()].increment();
    } else if (countSuccess) {
      untimed[priority.ordinal()].increment();
    }
  }

  void rejected(Priority priority, Reason reason) {
    rejected[priority.ordinal() * REASONS + reason.ordinal()].increment();
  }

  long admittedCount(Priority priority) {
    return admitted[priority.ordinal()].sum();
  }

  /** Successes of {@code priority} that were not timed. */
  long untimedCount(Priority priority) {
    return untimed[priority.ordinal()].sum();
  }

  long bypassedCount(Priority priority) {
    return bypassed[priority.ordinal()].sum();
  }

  long droppedCount(Priority priority) {
    return dropped[priority.ordinal()].sum();
  }

  long ignoredCount(Priority priority) {
    return ignored[priority.ordinal()].sum();
  }

  long rejectedCount(Priority priority, Reason reason) {
    return rejected[priority.ordinal() * REASONS + reason.ordinal()].sum();
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
