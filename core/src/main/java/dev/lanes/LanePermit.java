package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A granted permit. A CAS makes the first release win, whichever thread calls it. */
final class LanePermit implements Permit {

  static final int SUCCEEDED = 0;
  static final int DROPPED = 1;
  static final int IGNORED = 2;

  private static final VarHandle RELEASED;

  static {
    try {
      RELEASED = MethodHandles.lookup().findVarHandle(LanePermit.class, "released", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Lane lane;
  private final Priority priority;
  private final long startNanos;
  private volatile boolean released;

  LanePermit(Lane lane, Priority priority, long startNanos) {
    this.lane = lane;
    this.priority = priority;
    this.startNanos = startNanos;
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
    if (!released && RELEASED.compareAndSet(this, false, true)) {
      lane.release(priority, startNanos, outcome);
    }
  }

  @Override
  public String toString() {
    return "Permit[" + lane.name() + ", " + priority + (released ? ", released]" : "]");
  }
}
