package dev.lanes;

import java.util.concurrent.locks.LockSupport;

/**
 * A thread parked in {@link Lane#acquire}; parking lets a virtual thread unmount while it waits.
 *
 * <p>Handing a freed permit to a parked thread costs a wake-up: the permit sits idle until the
 * thread is scheduled again, and on a busy machine that takes about as long as a fast read. So
 * the waiter next in line is woken early, as the permit before it is handed over
 * ({@link #nudge}), and spins for a short while ({@link #SPIN_NANOS}) before it parks again: the
 * next permit usually frees within that time, and then it finds the permit already its own, with
 * no wake-up to wait for. Only the waiter next in line spins, so at most one thread per lane does,
 * and it yields now and then, so a CPU-bound holder of a permit loses little to it.
 */
final class BlockingWaiter extends Waiter {

  /** How long the waiter next in line spins before it parks. */
  static final long SPIN_NANOS = 50_000;

  private final Thread thread = Thread.currentThread();
  /** Set by the waiting room when this waiter became next in line; the waiter clears it. */
  private volatile boolean nextInLine;
  /**
   * Whether the thread is parked, or about to: only then is it unparked. An unpark that finds it
   * spinning would stay with the thread, and make the caller's own next park return at once.
   */
  private volatile boolean parked;

  BlockingWaiter(Priority priority) {
    super(priority);
  }

  @Override
  void signal(Lane lane) {
    // The state is settled before this runs; if the thread is not parked, it will see the state
    // before it parks (see park).
    if (parked && thread != Thread.currentThread()) {
      LockSupport.unpark(thread);
    }
  }

  /** Parks for at most {@code nanos}, unless the wait is settled first. */
  void park(Object blocker, long nanos) {
    parked = true;
    if (isWaiting()) {
      LockSupport.parkNanos(blocker, nanos);
    }
    parked = false;
  }

  /**
   * Marks the waiter next in line; returns whether it needs waking for that (it is not already
   * spinning, and is not the calling thread, which is about to look).
   */
  boolean markNextInLine() {
    if (nextInLine) {
      return false;
    }
    nextInLine = true;
    return thread != Thread.currentThread();
  }

  /** Wakes the waiter early, without a permit: it will spin, hoping for the next one. */
  void nudge() {
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * If next in line, spins until the wait is settled, {@link #SPIN_NANOS} have passed or
   * {@code maxNanos} have. Returns whether the wait is settled.
   */
  boolean spinIfNextInLine(long maxNanos) {
    if (!nextInLine) {
      return !isWaiting();
    }
    long budget = Math.min(SPIN_NANOS, maxNanos);
    long start = System.nanoTime();
    int spins = 0;
    Thread self = Thread.currentThread();
    while (isWaiting() && System.nanoTime() - start < budget && !self.isInterrupted()) {
      if ((++spins & 63) == 0) {
        Thread.yield(); // let a holder that needs this core have it
      } else {
        Thread.onSpinWait();
      }
    }
    nextInLine = false;
    return !isWaiting();
  }
}
