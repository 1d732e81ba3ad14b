package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals per priority, striped so that busy lanes do not contend on them.
 *
 * <p>{@code NORMAL} admissions are not counted as they happen: that would be one more atomic
 * operation on the hottest path. They are derived instead: every {@code NORMAL} permit is either
 * still out or was released in one of three counted ways, and the {@code NORMAL} share of the
 * lane's in-flight count is what the other two priorities, which are counted, leave over.
 */
final class LaneCounters {

  private static final int PRIORITIES = Priority.values().length;
  private static final int REASONS = Reason.values().length;

  private final LongAdder[] admitted = adders(PRIORITIES);
  private final LongAdder[] inFlight = adders(PRIORITIES);
  private final LongAdder[] completed = adders(PRIORITIES);
  private final LongAdder[] bypassed = adders(PRIORITIES);
  private final LongAdder[] dropped = adders(PRIORITIES);
  private final LongAdder[] ignored = adders(PRIORITIES);
  private final LongAdder[] rejected = adders(PRIORITIES * REASONS);

  /** Counts a grant; for {@code NORMAL} this is free. */
  void admitted(Priority priority) {
    if (priority != Priority.NORMAL) {
      admitted[priority.ordinal()].increment();
      inFlight[priority.ordinal()].increment();
    }
  }

  /**
   * Undoes the count of a grant whose permit went straight back, never used: its future was
   * cancelled as the permit arrived. A {@code NORMAL} grant is derived from releases and
   * in-flight, and the permit is neither, so there is nothing to undo for it.
   */
  void withdrawn(Priority priority) {
    if (priority != Priority.NORMAL) {
      admitted[priority.ordinal()].decrement();
      inFlight[priority.ordinal()].decrement();
    }
  }

  void bypassed(Priority priority) {
    bypassed[priority.ordinal()].increment();
  }

  /**
   * Counts a release. A success that went into the latency histogram is counted there, for free;
   * {@code countSuccess} says whether this one was not.
   */
  void released(Priority priority, int outcome, boolean countSuccess) {
    if (priority != Priority.NORMAL) {
      inFlight[priority.ordinal()].decrement();
    }
    if (outcome == LanePermit.DROPPED) {
      dropped[priority.ordinal()].increment();
    } else if (outcome == LanePermit.IGNORED) {
      ignored[priority.ordinal()].increment();
    } else if (countSuccess) {
      completed[priority.ordinal()].increment();
    }
  }

  void rejected(Priority priority, Reason reason) {
    rejected[priority.ordinal() * REASONS + reason.ordinal()].increment();
  }

  /**
   * Permits granted to {@code priority}.
   *
   * @param completed successful releases of {@code priority}
   * @param laneInFlight the lane's total in-flight count
   */
  long admittedCount(Priority priority, long completed, int laneInFlight) {
    if (priority != Priority.NORMAL) {
      return admitted[priority.ordinal()].sum();
    }
    long others = inFlight[Priority.CRITICAL.ordinal()].sum()
        + inFlight[Priority.BACKGROUND.ordinal()].sum();
    long normalInFlight = Math.max(0, laneInFlight - others);
    return completed + droppedCount(priority) + ignoredCount(priority) + normalInFlight;
  }

  long completedCount(Priority priority) {
    return completed[priority.ordinal()].sum();
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
