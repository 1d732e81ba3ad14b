package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A granted permit. A CAS makes the first release win, whichever thread calls it.
 *
 * <p>A permit for an {@code acquireAsync} waiter is <i>pending</i> until it is counted as
 * admitted: the future's {@code complete} runs the caller's callbacks, which may release the
 * permit before {@code complete} even returns. Whichever comes first, the lane after
 * {@code complete} ({@link #settleDelivery}) or the caller's release, counts the admission, and
 * the release is always counted after it, so no reader ever sees a call completed that was not
 * yet admitted.
 */
final class LanePermit implements Permit {

  static final int SUCCEEDED = 0;
  static final int DROPPED = 1;
  static final int IGNORED = 2;
  /** A clock reading that was not taken: the permit's call is not timed. */
  static final long UNTIMED = Long.MIN_VALUE;

  private static final VarHandle RELEASED;

  static {
    try {
      RELEASED = MethodHandles.lookup().findVarHandle(LanePermit.class, "released", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The states of `released`.
  private static final int LIVE = 0;
  private static final int DONE = 1;
  /** A waiter's permit whose admission is not counted yet. */
  private static final int PENDING = 2;
  /** The lane is counting the admission of a pending permit; a release waits for it. */
  private static final int SETTLING = 3;
  /** A waiter's permit, counted: live, and one of those the queue is served with. */
  private static final int QUEUED = 4;

  private final Lane lane;
  private final Priority priority;
  private final long grantedNanos;
  /**
   * {@link #LIVE} (or {@link #PENDING}, {@link #SETTLING}, {@link #QUEUED} for a waiter's permit)
   * until released, then {@link #DONE}; never written in the fast path's constructor, which would
   * cost a fence per permit.
   */
  private volatile int released;

  LanePermit(Lane lane, Priority priority, long grantedNanos) {
    this.lane = lane;
    this.priority = priority;
    this.grantedNanos = grantedNanos;
  }

  /** A permit handed from the queue to a waiter that has it now. */
  static LanePermit fromQueue(Lane lane, Priority priority, long grantedNanos) {
    LanePermit permit = new LanePermit(lane, priority, grantedNanos);
    RELEASED.set(permit, QUEUED); // published with the permit (the caller's own thread)
    return permit;
  }

  /** A permit for an async waiter, whose admission is counted later: see the class comment. */
  static LanePermit pending(Lane lane, Priority priority, long grantedNanos) {
    LanePermit permit = new LanePermit(lane, priority, grantedNanos);
    RELEASED.set(permit, PENDING); // published with the permit, by the future that carries it
    return permit;
  }

  /** Counts the admission of a pending permit that reached its caller, unless a release did. */
  void settleDelivery() {
    if (RELEASED.compareAndSet(this, PENDING, SETTLING)) {
      lane.waiterAdmitted(priority);
      released = QUEUED;
    }
  }

  @Override
  public Priority priority() {
    return priority;
  }

  @Override
  public void close() {
    release(SUCCEEDED);
  }

  @Override
  public void dropped() {
    release(DROPPED);
  }

  @Override
  public void ignore() {
    release(IGNORED);
  }

  private void release(int outcome) {
    int state = released;
    if (state == DONE) {
      return;
    }
    // Read the clock before the CAS, not after: the read gives the stores that made this permit
    // time to drain, so the CAS does not stall on them when a call is very short.
    long now = grantedNanos == UNTIMED ? UNTIMED : lane.now();
    while (state != DONE) {
      if (state == SETTLING) {
        Thread.onSpinWait(); // the lane is counting the admission: a few instructions
      } else if (RELEASED.compareAndSet(this, state, DONE)) {
        if (state == PENDING) {
          lane.waiterAdmitted(priority); // released before the lane counted it: count it first
        }
        if (state != LIVE) {
          lane.releasedFromQueue();
        }
        lane.release(priority, grantedNanos, now, outcome);
        return;
      }
      state = released;
    }
  }

  @Override
  public String toString() {
    return "Permit[" + lane.name() + ", " + priority + (released == DONE ? ", released]" : "]");
  }
}
