package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where calls wait for a permit: one queue per waiting priority, a lock that guards them, and the
 * hand-over of freed permits to waiters.
 *
 * <p>Releasing threads never block here. A release that sees waiters asks for a dispatch; if the
 * lock is busy, its holder runs the dispatch before it leaves ({@link #unlockAndDrain}), and every
 * path that takes the lock leaves it that way. Readers of lane state never take the lock.
 *
 * <p>Waiters are told their fate only after the lock is released, because completing a future
 * runs the caller's callbacks. A callback may itself release a permit; that release dispatches at
 * once, on the same thread, so a freed permit never waits for the callback to return. Only when
 * callbacks nest more than {@link #MAX_NESTING} deep does a thread hand the dispatch to
 * {@link Callbacks}, so a chain of callbacks that each release cannot overflow the stack.
 */
final class WaitingRoom {

  /** Dispatch loops one thread may run inside each other's callbacks. */
  static final int MAX_NESTING = 8;

  private static final ThreadLocal<int[]> NESTING = ThreadLocal.withInitial(() -> new int[1]);

  private final Lane lane;
  private final Gate gate;
  private final int maxQueued;
  private final QueueOrder order;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private final WaitQueue normal = new WaitQueue();
  private final WaitQueue background = new WaitQueue();
  /** Present for {@link QueueOrder#ADAPTIVE} only. */
  private final QueueWatch watch;

  WaitingRoom(Lane lane, Gate gate, int maxQueued, QueueOrder order) {
    this.lane = lane;
    this.gate = gate;
    this.maxQueued = maxQueued;
    this.order = order;
    this.watch = order == QueueOrder.ADAPTIVE ? new QueueWatch(lane::typicalLatencyNanos) : null;
  }

  /**
   * Admits {@code waiter} at once, queues it for at most {@code waitNanos}, or rejects it.
   * Whatever is settled here is signalled like any other outcome, so callers read the result from
   * the waiter's state.
   */
  void enter(Waiter waiter, long waitNanos) {
    boolean mayWait = waitNanos > 0;
    // The clock is user code: read it before taking the lock, never under it.
    long now = watch != null && mayWait ? lane.clock() : LanePermit.UNTIMED;
    Waiter toSignal = null;
    BlockingWaiter next = null;
    lock.lock();
    try {
      if (gate.isClosed()) {
        waiter.tryReject(Reason.CLOSED);
      } else if (gate.admitWaiter(waiter.priority, true)) {
        // A permit freed since the fast path failed: a waiter's permit all the same (it is
        // released as one), so counted as one.
        waiter.tryGrant();
        lane.servedFromQueue();
        if (watch != null) {
          watch.granted();
        }
      } else if (!mayWait) {
        waiter.tryReject(Reason.LIMIT_REACHED);
      } else if (clearlyTooLate(waiter, waitNanos, now)) {
        lane.blocked();
        turnedAway();
        waiter.tryReject(Reason.TIMEOUT);
      } else if (normal.size() + background.size() < maxQueued) {
        queueOf(waiter.priority).addNewest(waiter);
        lane.blocked();
      } else if (waiter.priority == Priority.NORMAL && !background.isEmpty()) {
        lane.blocked();
        turnedAway();
        Waiter evicted = background.newest();
        background.remove(evicted);
        if (evicted.tryReject(Reason.EVICTED)) {
          toSignal = evicted;
        }
        normal.addNewest(waiter);
      } else {
        turnedAway();
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
      next = nextInLine();
    } finally {
      unlockAndDrain();
    }
    signalAll(toSignal);
    nudge(next);
  }

  /**
   * Takes a waiter that gave up out of its queue.
   *
   * @param timedOut whether it waited as long as it could, rather than being cancelled
   */
  void leave(Waiter waiter, boolean timedOut) {
    Waiter toSignal = null;
    BlockingWaiter next = null;
    lock.lock();
    try {
      if (timedOut && watch != null) {
        watch.turnedAway();
      }
      if (queueOf(waiter.priority).remove(waiter)) {
        toSignal = dispatchLocked();
        refreshFlags();
        next = nextInLine();
      }
    } finally {
      unlockAndDrain();
    }
    signalAll(toSignal);
    nudge(next);
  }

  /** Hands freed permits to waiters; never blocks. */
  void requestDispatch() {
    dispatchPending.set(true);
    int[] nesting = NESTING.get();
    if (nesting[0] > MAX_NESTING) {
      return; // an executor ran the hand-off below on this very stack: the loops below see it
    }
    if (nesting[0] == MAX_NESTING) {
      handOffDispatch(nesting);
      return;
    }
    nesting[0]++;
    try {
      while (true) {
        // Hand over every permit freed so far before telling anyone: a release that came while
        // the lock was held asked for this loop, and must not wait for the callbacks below.
        Waiter toSignal = null;
        BlockingWaiter next = null;
        boolean dispatched = false;
        while (dispatchPending.get() && lock.tryLock()) {
          dispatched = true;
          try {
            dispatchPending.set(false);
            toSignal = append(toSignal, dispatchLocked());
            refreshFlags();
            next = nextInLine();
          } finally {
            lock.unlock();
          }
        }
        if (!dispatched) {
          return; // nothing asked, or the lock's holder will drain it as it leaves
        }
        signalAll(toSignal);
        nudge(next);
      }
    } finally {
      nesting[0]--;
    }
  }

  /**
   * Deep inside callbacks that each released a permit: finish the dispatch on a fresh stack. An
   * executor that runs it on this one, or refuses it, leaves the request to the dispatch loops
   * further up this stack, which look again once the callbacks return.
   */
  private void handOffDispatch(int[] nesting) {
    nesting[0]++;
    try {
      lane.callbackExecutor().execute(this::requestDispatch);
    } catch (RuntimeException | Error refused) {
      // The loops up the stack will dispatch. (An Error too, such as a pool that could not start
      // a thread: the hand-over matters more than the executor's trouble.)
    } finally {
      nesting[0]--;
    }
  }

  /** Rejects every waiter with {@code CLOSED}; the gate is already closed to newcomers. */
  void closeAll() {
    Waiter toSignal;
    lock.lock();
    try {
      toSignal = append(rejectAll(normal), rejectAll(background));
      refreshFlags();
    } finally {
      unlockAndDrain();
    }
    signalAll(toSignal);
  }

  /** Waiters of {@code priority} now; takes no lock, so reading it never delays a hand-over. */
  int waiting(Priority priority) {
    return priority == Priority.CRITICAL ? 0 : queueOf(priority).size();
  }

  private Waiter dispatchLocked() {
    Waiter first = null;
    Waiter last = null;
    while (true) {
      WaitQueue queue = !normal.isEmpty() ? normal : !background.isEmpty() ? background : null;
      if (queue == null) {
        break;
      }
      Waiter next = newestFirst() ? queue.newest() : queue.oldest();
      if (!next.isWaiting()) {
        queue.remove(next); // gave up and is on its way out; nothing to hand over
        continue;
      }
      // If the first NORMAL waiter cannot go, no BACKGROUND one may go either.
      if (!gate.admitWaiter(next.priority, false)) {
        break;
      }
      queue.remove(next);
      if (next.tryGrant()) {
        if (watch != null) {
          watch.granted();
        }
        lane.servedFromQueue();
        if (last == null) {
          first = next;
        } else {
          last.nextToSignal = next;
        }
        last = next;
      } else {
        gate.giveBack(next.priority); // it gave up at this very moment: on to the next one
        gate.delivered(next.priority);
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

  /** Called after every change to the queues, under the lock. */
  private void refreshFlags() {
    gate.setWaitingFlags(
        (normal.isEmpty() ? 0 : Gate.NORMAL_WAITING)
            | (background.isEmpty() ? 0 : Gate.BACKGROUND_WAITING));
    if (watch != null) {
      watch.observe(normal.size() + background.size());
    }
  }

  /**
   * The thread that the next freed permit will go to, if it is parked and should start spinning
   * for it; marks it. See {@link BlockingWaiter}.
   */
  private BlockingWaiter nextInLine() {
    WaitQueue queue = !normal.isEmpty() ? normal : !background.isEmpty() ? background : null;
    if (queue == null) {
      return null;
    }
    Waiter head = newestFirst() ? queue.newest() : queue.oldest();
    if (head instanceof BlockingWaiter && head.isWaiting()
        && ((BlockingWaiter) head).markNextInLine()) {
      return (BlockingWaiter) head;
    }
    return null;
  }

  private static void nudge(BlockingWaiter waiter) {
    if (waiter != null) {
      waiter.nudge();
    }
  }

  private void turnedAway() {
    if (watch != null) {
      watch.turnedAway();
    }
  }

  private boolean newestFirst() {
    return order == QueueOrder.LIFO || (watch != null && watch.standing());
  }

  /**
   * For {@link QueueOrder#ADAPTIVE}: moves the watch on to {@code now} (the one clock reading a
   * waiter costs) and asks whether a call of {@code priority} would clearly wait past
   * {@code waitNanos}.
   */
  private boolean clearlyTooLate(Waiter waiter, long waitNanos, long now) {
    if (watch == null || now == LanePermit.UNTIMED) {
      return false;
    }
    watch.tick(now, normal.size() + background.size(), lane.permitsServedFromQueue());
    waiter.deadline = waitNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + waitNanos;
    // Calls served before this one: NORMAL goes before BACKGROUND; within a priority, everyone
    // queued goes first unless the queue stands and the newest goes first.
    boolean behindItsOwn = !watch.standing();
    boolean behindNormal = waiter.priority != Priority.NORMAL;
    int ahead = (behindNormal ? normal.size() : 0)
        + (behindItsOwn ? queueOf(waiter.priority).size() : 0);
    // As if every permit of the limit served the queue from now on: errs towards waiting.
    int permits = gate.limit();
    if (!watch.clearlyTooLate(ahead, waitNanos, permits)) {
      return false;
    }
    // Only the calls ahead that will still be waiting when this one must give up can keep it
    // waiting that long: the others are served or run out of patience first. (When every caller
    // has the same patience, none of those ahead outlasts a newcomer, and nobody is refused.)
    int outlasting = (behindNormal ? normal.outlasting(waiter.deadline) : 0)
        + (behindItsOwn ? queueOf(waiter.priority).outlasting(waiter.deadline) : 0);
    return watch.clearlyTooLate(outlasting, waitNanos, permits);
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

  /**
   * Tells each waiter of the chain its fate. Parked threads are woken at once. Telling an
   * asynchronous waiter runs user code (its future's callbacks, its scheduler's cancel), which may
   * take any time, even wait for another waiter of the same chain: so when several are in the
   * chain, the first (the caller entering, or the head of the queue) is told here, after everyone
   * else has been set going, and the others on the lane's callback executor. Whatever signalling
   * throws, the rest are still told.
   */
  private void signalAll(Waiter chain) {
    Waiter keep = null;
    while (chain != null) {
      Waiter next = chain.nextToSignal;
      chain.nextToSignal = null;
      if (!chain.runsUserCode()) {
        signal(chain);
      } else if (keep == null) {
        keep = chain;
      } else {
        handOff(chain);
      }
      chain = next;
    }
    if (keep != null) {
      signal(keep);
    }
  }

  private void handOff(Waiter waiter) {
    try {
      lane.callbackExecutor().execute(() -> signal(waiter));
    } catch (RuntimeException | Error rejected) {
      // An executor that refuses, or fails (a pool that cannot start a thread): tell the waiter
      // here rather than never, and say what went wrong.
      lane.userCodeFailed("handing a waiter to the callback executor", rejected);
      signal(waiter);
    }
  }

  private void signal(Waiter waiter) {
    try {
      waiter.signal(lane);
    } catch (RuntimeException | Error failure) {
      lane.userCodeFailed("signalling a waiter", failure);
    }
  }
}
