package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A granted permit. A CAS makes the first release win, whichever thread calls it. */
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

  private final Lane lane;
  private final Priority priority;
  private final long grantedNanos;
  /** 0 until released; never written in the constructor, which would cost a fence per permit. */
  private volatile int released;

  LanePermit(Lane lane, Priority priority, long grantedNanos) {
    this.lane = lane;
    this.priority = priority;
    this.grantedNanos = grantedNanos;
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
    if (released != 0) {
      return;
    }
    // Read the clock before the CAS, not after: the read gives the stores that made this permit
    // time to drain, so the CAS does not stall on them when a call is very short.
    long now = grantedNanos == UNTIMED ? UNTIMED : lane.now();
    if (RELEASED.compareAndSet(this, 0, 1)) {
      lane.release(priority, grantedNanos, now, outcome);
    }
  }

  @Override
  public String toString() {
    return "Permit[" + lane.name() + ", " + priority + (released != 0 ? ", released]" : "]");
  }
}
