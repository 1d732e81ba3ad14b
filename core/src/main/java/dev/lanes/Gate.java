package dev.lanes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The admission word of a lane: in-flight count, "someone is waiting" flags, the closed flag and a
 * running count of releases, all in one {@code long}. Admission is one CAS on it and a release one
 * atomic add, so the uncontended path takes no lock.
 *
 * <p>The waiting flags are what stop barging: while a {@code NORMAL} call waits, no new
 * {@code NORMAL} or {@code BACKGROUND} call may take a permit on the fast path, and a freed permit
 * goes to the waiter through the {@link WaitingRoom} instead. The flags change only under the
 * waiting room's lock, so they always say whether its queues are empty.
 *
 * <p><b>Counting {@code NORMAL} calls for free.</b> Releases plus in-flight, read in one atomic
 * read of the word, are every admission there has been. The gate counts the other priorities'
 * admissions and releases, {@code NORMAL} permits handed straight back ({@link #giveBack}), and
 * those taken for waiters that do not have them yet, on striped counters, each before the word
 * changes; whatever is left is {@code NORMAL}. Read after
 * the word ({@link #read}), those counters can only be ahead of it, so the {@code NORMAL} figures
 * derived from them can only be behind the truth, never ahead, and are exact whenever no call is
 * half-way through. The hottest path, a {@code NORMAL} call, pays for no counter at all.
 */
final class Gate {

  static final long IN_FLIGHT = (1L << 31) - 1;
  static final long NORMAL_WAITING = 1L << 31;
  static final long BACKGROUND_WAITING = 1L << 32;
  static final long CLOSED = 1L << 33;
  static final long WAITING = NORMAL_WAITING | BACKGROUND_WAITING;
  /** Added by each release: a running count that also picks the calls whose latency is timed. */
  static final long RELEASE = 1L << 34;
  static final int RELEASE_BITS = 30;
  static final long RELEASES_MASK = (1L << RELEASE_BITS) - 1;

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
  /** How often the release count has wrapped; moved by the release that wraps it. */
  private final AtomicLong wraps = new AtomicLong();
  /** CRITICAL and BACKGROUND admissions, counted before each attempt (undone if it fails). */
  private final LongAdder otherAdmissions = new LongAdder();
  /** CRITICAL and BACKGROUND releases, counted before each release. */
  private final LongAdder otherReleases = new LongAdder();
  /** NORMAL permits given straight back, never their caller's, counted before each. */
  private final LongAdder normalGivenBack = new LongAdder();
  /** NORMAL permits taken for waiters that do not have them yet (see admitWaiter). */
  private final LongAdder normalInLimbo = new LongAdder();

  Gate(int initialLimit, int reserve, int ceiling) {
    this.limit = initialLimit;
    this.reserve = reserve;
    this.ceiling = ceiling;
  }

  /**
   * Takes a permit if {@code priority} may have one now, honouring waiters.
   *
   * @return the state before the admission (see {@link #inFlightOf} and {@link #releasesOf}), or
   *     -1 if refused
   */
  long tryAdmit(Priority priority) {
    boolean normal = priority == Priority.NORMAL;
    if (!normal) {
      otherAdmissions.increment();
    }
    long blockers = blockersOf(priority);
    long s = state;
    while (true) {
      int inFlight = (int) (s & IN_FLIGHT);
      if ((s & blockers) != 0 || inFlight >= boundOf(priority)) {
        if (!normal) {
          otherAdmissions.decrement();
        }
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
   * Takes a permit for a waiter of {@code priority}; returns whether it could. The permit is in
   * limbo until the waiter has it ({@link #delivered}) or it is given back ({@link #giveBack}):
   * the waiter may give up at that very moment. {@code honourFlags} is true for a call that has
   * not queued yet, and false for the first waiter, who raised the flags itself; the latter is
   * called only under the waiting room's lock.
   */
  boolean admitWaiter(Priority priority, boolean honourFlags) {
    boolean normal = priority == Priority.NORMAL;
    if (normal) {
      normalInLimbo.increment();
    } else {
      otherAdmissions.increment();
    }
    long blockers = honourFlags ? blockersOf(priority) : CLOSED;
    long s = state;
    while (true) {
      if ((s & blockers) != 0 || (int) (s & IN_FLIGHT) >= boundOf(priority)) {
        if (normal) {
          normalInLimbo.decrement();
        } else {
          otherAdmissions.decrement();
        }
        return false;
      }
      long witness = (long) STATE.compareAndExchange(this, s, s + 1);
      if (witness == s) {
        return true;
      }
      s = witness;
    }
  }

  /** A waiter's permit reached it, or was given back: it is out of limbo. */
  void delivered(Priority priority) {
    if (priority == Priority.NORMAL) {
      normalInLimbo.decrement();
    }
  }

  /** Gives a permit back; returns the state before, so the caller sees waiters and in-flight. */
  long release(Priority priority) {
    if (priority != Priority.NORMAL) {
      otherReleases.increment();
    }
    return add();
  }

  /**
   * Gives back a permit that was taken for a caller who never got it (it gave up at that moment);
   * returns the state before.
   */
  long giveBack(Priority priority) {
    if (priority == Priority.NORMAL) {
      normalGivenBack.increment();
    } else {
      otherReleases.increment();
    }
    return add();
  }

  private long add() {
    long before = (long) STATE.getAndAdd(this, RELEASE - 1);
    if (releasesOf(before) == RELEASES_MASK) {
      wraps.incrementAndGet(); // this release carried the count past its bits
    }
    return before;
  }

  /**
   * {@code NORMAL} permits admitted and released so far, at most the true figures (see the class
   * comment): {@code {admitted, released}}, the latter counting permits given back.
   */
  long[] normalCounts() {
    long w;
    long s;
    do {
      w = wraps.get();
      s = state;
    } while (w != wraps.get());
    long releases = (w << RELEASE_BITS) + releasesOf(s);
    long admitted = releases + inFlightOf(s);
    // Read after the word: these can only be ahead of it.
    long others = otherAdmissions.sum();
    long otherReleased = otherReleases.sum();
    // Limbo before givenBack: a permit given back is counted as given back first and leaves limbo
    // after, so a reader between the two sees it in one or the other, at worst in both (an
    // undercount, which the next read mends), never in neither (an overcount kept for good).
    long limbo = normalInLimbo.sum();
    long givenBack = normalGivenBack.sum();
    return new long[] {admitted - others - givenBack - limbo,
        releases - otherReleased - givenBack};
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

  /** The whole word, for a reading of several of its parts at one instant. */
  long state() {
    return state;
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

  static long releasesOf(long state) {
    return (state >>> 34) & RELEASES_MASK;
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
