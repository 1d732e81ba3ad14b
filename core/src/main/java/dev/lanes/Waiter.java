package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A call waiting for a permit. Its fate is settled exactly once, by a CAS on {@link #state}: the
 * waiting room grants or rejects it, or the waiter itself abandons the wait (timeout, interrupt,
 * cancellation). Whoever loses the race sees the winner's outcome, which is how a hand-over and a
 * timeout at the same moment never lose or duplicate a permit.
 */
abstract class Waiter {

  static final int WAITING = 0;
  static final int GRANTED = 1;
  static final int REJECTED = 2;
  static final int ABANDONED = 3;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Priority priority;
  private volatile int state;
  private Reason reason;

  // Links owned by the waiting room, touched only under its lock.
  /** When the waiter gives up, in the lane's clock; known only to an ADAPTIVE lane. */
  long deadline = Long.MAX_VALUE;
  Waiter prev;
  Waiter next;
  boolean queued;
  /** The next waiter to signal once the lock is released. */
  Waiter nextToSignal;

  Waiter(Priority priority) {
    this.priority = priority;
  }

  boolean tryGrant() {
    return STATE.compareAndSet(this, WAITING, GRANTED);
  }

  /** Rejects the waiter; called only under the waiting room's lock, so rejections never race. */
  boolean tryReject(Reason why) {
    // Written before the CAS publishes it; read only by whoever sees REJECTED.
    reason = why;
    return STATE.compareAndSet(this, WAITING, REJECTED);
  }

  /** The waiter gives up on its own; false if it was granted or rejected first. */
  boolean tryAbandon() {
    return STATE.compareAndSet(this, WAITING, ABANDONED);
  }

  int state() {
    return state;
  }

  boolean isWaiting() {
    return state == WAITING;
  }

  /** Why it was rejected; valid once {@link #state()} is {@link #REJECTED}. */
  Reason reason() {
    return reason;
  }

  /** Tells the waiter its fate; runs outside the lock, after the state has been settled. */
  abstract void signal(Lane lane);

  /**
   * Whether {@link #signal} runs user code (a future's callbacks, a scheduler's cancel), which
   * may take any time; a parked thread is only woken.
   */
  boolean runsUserCode() {
    return false;
  }
}
