package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where calls wait for a permit: one queue per waiting priority, a lock that guards them, and the
 * hand-over of freed permits to waiters.
 *
 * <p>Releasing threads never block here. A release that sees waiters asks for a dispatch; if the
 * lock is busy, its holder runs the dispatch before it leaves ({@link #unlockAndDrain}). Waiters are
 * told their fate only after the lock is released, because completing a future runs the caller's
 * callbacks.
 */
final class WaitingRoom {

  /** Stops a thread that is signalling waiters from dispatching again further down its stack. */
  private static final ThreadLocal<boolean[]> SIGNALLING =
      ThreadLocal.withInitial(() -> new boolean[1]);

  private final Lane lane;
  private final Gate gate;
  private final int maxQueued;
  private final QueueOrder order;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private final WaitQueue normal = new WaitQueue();
  private final WaitQueue background = new WaitQueue();

  WaitingRoom(Lane lane, Gate gate, int maxQueued, QueueOrder order) {
    this.lane = lane;
    this.gate = gate;
    this.maxQueued = maxQueued;
    this.order = order;
  }

  /**
   * Admits {@code waiter} at once, queues it, or rejects it. Whatever is settled here is signalled
   * like any other outcome, so callers read the result from the waiter's state.
   */
  void enter(Waiter waiter, boolean mayWait) {
    Waiter toSignal = null;
    lock.lock();
    try {
      if (gate.isClosed()) {
        waiter.tryReject(Reason.CLOSED);
      } else if (gate.tryAdmit(waiter.priority) >= 0) {
        waiter.tryGrant();
      } else if (!mayWait) {
        waiter.tryReject(Reason.LIMIT_REACHED);
      } else if (normal.size() + background.size() < maxQueued) {
        queueOf(waiter.priority).addNewest(waiter);
        lane.blocked();
      } else if (waiter.priority == Priority.NORMAL && !background.isEmpty()) {
        lane.blocked();
        Waiter evicted = background.newest();
        background.remove(evicted);
        if (evicted.tryReject(Reason.EVICTED)) {
          toSignal = evicted;
        }
        normal.addNewest(waiter);
      } else {
        waiter.tryReject(Reason.QUEUE_FULL);
      }
      if (!waiter.queued) {
        waiter.nextToSignal = toSignal;
        toSignal = waiter;
      } else {
        // Raise the flag first, then look again: a release that came before the flag was up did
        // not ask for a dispatch, but its permit is visible now.
        refreshFlags();
        toSignal = append(toSignal, dispatchLocked());
      }
      refreshFlags();
    } finally {
      unlockAndDrain();
    }
    signalAll(toSignal);
  }

  /** Takes a waiter that gave up out of its queue. */
  void leave(Waiter waiter) {
    Waiter toSignal = null;
    lock.lock();
    try {
      if (queueOf(waiter.priority).remove(waiter)) {
        toSignal = dispatchLocked();
        refreshFlags();
      }
    } finally {
      unlockAndDrain();
    }
    signalAll(toSignal);
  }

  /** Hands freed permits to waiters; never blocks. */
  void requestDispatch() {
    dispatchPending.set(true);
    boolean[] signalling = SIGNALLING.get();
    if (signalling[0]) {
      return; // the loop further up this thread's stack will see the request
    }
    signalling[0] = true;
    try {
      while (dispatchPending.get() && lock.tryLock()) {
        Waiter toSignal;
        try {
          dispatchPending.set(false);
          toSignal = dispatchLocked();
          refreshFlags();
        } finally {
          lock.unlock();
        }
        signalAll(toSignal);
      }
    } finally {
      signalling[0] = false;
    }
  }

  /** Rejects every waiter with {@code CLOSED}; the gate is already closed to newcomers. */
  void closeAll() {
    Waiter toSignal = null;
    lock.lock();
    try {
      toSignal = append(rejectAll(normal), rejectAll(background));
      refreshFlags();
    } finally {
      lock.unlock();
    }
    signalAll(toSignal);
  }

  int waiting(Priority priority) {
    if (priority == Priority.CRITICAL) {
      return 0;
    }
    lock.lock();
    try {
      return queueOf(priority).size();
    } finally {
      lock.unlock();
    }
  }

  private Waiter dispatchLocked() {
    Waiter first = null;
    Waiter last = null;
    while (true) {
      WaitQueue queue = !normal.isEmpty() ? normal : !background.isEmpty() ? background : null;
      if (queue == null) {
        break;
      }
      Waiter next = order == QueueOrder.FIFO ? queue.oldest() : queue.newest();
      if (!next.isWaiting()) {
        queue.remove(next); // gave up and is on its way out; nothing to hand over
        continue;
      }
      // If the first NORMAL waiter cannot go, no BACKGROUND one may go either.
      if (!gate.admitWaiter(next.priority)) {
        break;
      }
      queue.remove(next);
      if (next.tryGrant()) {
        if (last == null) {
          first = next;
        } else {
          last.nextToSignal = next;
        }
        last = next;
      } else {
        gate.release(false); // it timed out at this very moment: the permit goes to the next one
      }
    }
    return first;
  }

  private Waiter rejectAll(WaitQueue queue) {
    Waiter first = null;
    Waiter last = null;
    for (Waiter w = queue.oldest(); w != null; w = queue.oldest()) {
      queue.remove(w);
      if (w.tryReject(Reason.CLOSED)) {
        if (last == null) {
          first = w;
        } else {
          last.nextToSignal = w;
        }
        last = w;
      }
    }
    return first;
  }

  private void unlockAndDrain() {
    lock.unlock();
    if (dispatchPending.get()) {
      requestDispatch();
    }
  }

  private void refreshFlags() {
    gate.setWaitingFlags(
        (normal.isEmpty() ? 0 : Gate.NORMAL_WAITING)
            | (background.isEmpty() ? 0 : Gate.BACKGROUND_WAITING));
  }

  private WaitQueue queueOf(Priority priority) {
    return priority == Priority.BACKGROUND ? background : normal;
  }

  private static Waiter append(Waiter chain, Waiter more) {
    if (chain == null) {
      return more;
    }
    Waiter last = chain;
    while (last.nextToSignal != null) {
      last = last.nextToSignal;
    }
    last.nextToSignal = more;
    return chain;
  }

  private void signalAll(Waiter chain) {
    while (chain != null) {
      Waiter next = chain.nextToSignal;
      chain.nextToSignal = null;
      chain.signal(lane);
      chain = next;
    }
  }
}
