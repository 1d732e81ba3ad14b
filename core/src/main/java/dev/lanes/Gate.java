package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The admission word of a lane: in-flight count, "someone is waiting" flags, the closed flag and a
 * running count of sampled releases, all in one {@code long}. Admission is one CAS on it and a
 * release one atomic add, so the uncontended path takes no lock.
 *
 * <p>The waiting flags are what stop barging: while a {@code NORMAL} call waits, no new
 * {@code NORMAL} or {@code BACKGROUND} call may take a permit on the fast path, and a freed permit
 * goes to the waiter through the {@link WaitingRoom} instead. The flags change only under the
 * waiting room's lock, so they always say whether its queues are empty.
 */
final class Gate {

  static final long IN_FLIGHT = (1L << 31) - 1;
  static final long NORMAL_WAITING = 1L << 31;
  static final long BACKGROUND_WAITING = 1L << 32;
  static final long CLOSED = 1L << 33;
  static final long WAITING = NORMAL_WAITING | BACKGROUND_WAITING;
  /**
   * Added by each release that was a success or a drop: a running count of completed calls, which
   * picks the calls whose latency is timed. Wraps; only differences matter.
   */
  static final long COMPLETION = 1L << 34;
  static final long COMPLETIONS_MASK = (1L << 30) - 1;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Gate.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int reserve;
  private final int ceiling;
  private volatile long state;
  private volatile int limit;

  Gate(int initialLimit, int reserve, int ceiling) {
    this.limit = initialLimit;
    this.reserve = reserve;
    this.ceiling = ceiling;
  }

  /**
   * Takes a permit if {@code priority} may have one now, honouring waiters.
   *
   * @return the state before the admission (see {@link #inFlightOf} and {@link #completionsOf}),
   *     or -1 if refused
   */
  long tryAdmit(Priority priority) {
    long blockers = blockersOf(priority);
    long s = state;
    while (true) {
      int inFlight = (int) (s & IN_FLIGHT);
      if ((s & blockers) != 0 || inFlight >= boundOf(priority)) {
        return -1;
      }
      long witness = (long) STATE.compareAndExchange(this, s, s + 1);
      if (witness == s) {
        return s;
      }
      s = witness;
    }
  }

  /**
   * Takes a permit for the first waiter of {@code priority}: ignores the waiting flags, which that
   * waiter itself raised. Called only under the waiting room's lock.
   */
  boolean admitWaiter(Priority priority) {
    long s = state;
    while (true) {
      if ((s & CLOSED) != 0 || (int) (s & IN_FLIGHT) >= boundOf(priority)) {
        return false;
      }
      long witness = (long) STATE.compareAndExchange(this, s, s + 1);
      if (witness == s) {
        return true;
      }
      s = witness;
    }
  }

  /** Gives a permit back; returns the state before, so the caller sees waiters and in-flight. */
  long release(boolean completed) {
    return (long) STATE.getAndAdd(this, completed ? COMPLETION - 1 : -1L);
  }

  /** Sets the waiting flags to exactly {@code flags}; called only under the waiting room's lock. */
  void setWaitingFlags(long flags) {
    long s = state;
    while ((s & WAITING) != flags) {
      long witness = (long) STATE.compareAndExchange(this, s, (s & ~WAITING) | flags);
      if (witness == s) {
        return;
      }
      s = witness;
    }
  }

  /** Marks the gate closed; returns false if it already was. */
  boolean close() {
    long s = state;
    while ((s & CLOSED) == 0) {
      long witness = (long) STATE.compareAndExchange(this, s, s | CLOSED);
      if (witness == s) {
        return true;
      }
      s = witness;
    }
    return false;
  }

  boolean isClosed() {
    return (state & CLOSED) != 0;
  }

  int inFlight() {
    return (int) (state & IN_FLIGHT);
  }

  /** Releases that were a success or a drop, modulo 2^30. */
  long completions() {
    return completionsOf(state);
  }

  int limit() {
    return limit;
  }

  void setLimit(int limit) {
    this.limit = limit;
  }

  static int inFlightOf(long state) {
    return (int) (state & IN_FLIGHT);
  }

  static long completionsOf(long state) {
    return (state >>> 34) & COMPLETIONS_MASK;
  }

  /** The most permits {@code priority} may hold together with everyone else now. */
  int bound(Priority priority) {
    return boundOf(priority);
  }

  private int boundOf(Priority priority) {
    if (priority == Priority.NORMAL) {
      return limit;
    }
    return priority == Priority.BACKGROUND ? limit - reserve : ceiling;
  }

  private static long blockersOf(Priority priority) {
    if (priority == Priority.NORMAL) {
      return CLOSED | NORMAL_WAITING;
    }
    return priority == Priority.BACKGROUND ? CLOSED | WAITING : CLOSED;
  }
}
