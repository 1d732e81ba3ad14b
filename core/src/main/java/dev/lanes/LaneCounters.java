package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals per priority, striped so that busy lanes do not contend on them. A reader (a
 * metrics scrape) never sees one fall.
 *
 * <p>{@code NORMAL} admissions and successes, the hottest path, are not counted here: the
 * {@link Gate} derives them from its own word (see {@link Gate#normalCounts}). Those figures can
 * lag the truth by the calls half-way through, never lead it; this class holds the highest it has
 * given out, so that they never go back either. Every other total is counted as it happens, and
 * a {@code NORMAL} drop or ignore before its permit goes back to the gate, so that it is never
 * behind the gate's count of releases.
 */
final class LaneCounters {

  private static final int PRIORITIES = Priority.values().length;
  private static final int REASONS = Reason.values().length;

  private final LongAdder[] admitted = adders(PRIORITIES);
  private final LongAdder[] completed = adders(PRIORITIES);
  private final LongAdder[] bypassed = adders(PRIORITIES);
  private final LongAdder[] dropped = adders(PRIORITIES);
  private final LongAdder[] ignored = adders(PRIORITIES);
  private final LongAdder[] rejected = adders(PRIORITIES * REASONS);
  private final AtomicLong normalAdmitted = new AtomicLong();
  private final AtomicLong normalCompleted = new AtomicLong();

  /** Counts a grant; a {@code NORMAL} one the gate counts for free. */
  void admitted(Priority priority) {
    if (priority != Priority.NORMAL) {
      admitted[priority.ordinal()].increment();
    }
  }

  void bypassed(Priority priority) {
    bypassed[priority.ordinal()].increment();
  }

  /** Counts a release; call it before the permit goes back to the gate. */
  void released(Priority priority, int outcome) {
    if (outcome == LanePermit.DROPPED) {
      dropped[priority.ordinal()].increment();
    } else if (outcome == LanePermit.IGNORED) {
      ignored[priority.ordinal()].increment();
    } else if (priority != Priority.NORMAL) {
      completed[priority.ordinal()].increment();
    }
  }

  void rejected(Priority priority, Reason reason) {
    rejected[priority.ordinal() * REASONS + reason.ordinal()].increment();
  }

  long admittedCount(Priority priority, Gate gate) {
    if (priority != Priority.NORMAL) {
      return admitted[priority.ordinal()].sum();
    }
    long[] counts = gate.normalCounts();
    // Never below the releases of the same reading: a waiter's permit is counted in limbo a moment
    // before the gate admits it, which can leave the admissions one short, never the releases.
    return raise(normalAdmitted, Math.max(counts[0], counts[1]));
  }

  /** Successes of {@code priority}, timed or not. */
  long completedCount(Priority priority, Gate gate) {
    if (priority != Priority.NORMAL) {
      return completed[priority.ordinal()].sum();
    }
    long released = gate.normalCounts()[1];
    // Read after the gate: these are never behind it.
    long others = dropped[Priority.NORMAL.ordinal()].sum()
        + ignored[Priority.NORMAL.ordinal()].sum();
    return raise(normalCompleted, released - others);
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

  /** The larger of {@code seen} and {@code now}, kept in {@code seen}: a total never goes back. */
  private static long raise(AtomicLong seen, long now) {
    return seen.accumulateAndGet(now, Math::max);
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
