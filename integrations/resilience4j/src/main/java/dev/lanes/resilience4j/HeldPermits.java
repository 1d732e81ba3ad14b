package dev.lanes.resilience4j;

import dev.lanes.Permit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The permits a bulkhead handed out through {@code acquirePermission} and
 * {@code tryAcquirePermission}, which Resilience4j gives back with a bare {@code onComplete()} or
 * {@code releasePermission()} that does not say which call finished.
 *
 * <p>Each permit sits on a stack of the thread that took it. {@link #take()} gives the newest
 * permit its own thread still holds, which is exactly the call that a synchronous decorator wraps,
 * nested or not; that path touches nothing shared but the permit itself. A thread that holds none
 * (a completion stage that finishes on another thread) looks through the other threads' stacks and
 * gets the permit held longest on the first stack that has one; it comes back empty only when a
 * second look finds every stack as the first left it, so a permit pushed behind it while the ones
 * ahead were taken is not missed. Whoever takes an entry claims it
 * with one CAS, so no permit is given back twice. Claimed entries never pile up: the owner drops
 * those on top of its stack whenever it pushes or takes, and a thread that claims the deepest
 * entry cuts the stack off above it, since everything below is claimed too. The stacks of
 * threads that ended holding nothing are dropped from the book every {@value #PRUNE_EVERY}
 * threads that register, so a thread per request does not grow it.
 */
final class HeldPermits {

  /** Threads registered between two sweeps of the book for stacks whose threads have ended. */
  static final int PRUNE_EVERY = 64;

  private final ThreadLocal<Stack> stacks = ThreadLocal.withInitial(this::register);
  /** Every thread's stack, for the threads that hold none of their own; pruned as threads die. */
  private final ConcurrentLinkedQueue<Stack> all = new ConcurrentLinkedQueue<>();
  private final AtomicInteger registrations = new AtomicInteger();

  /** Records a permit the current thread just took. */
  void hold(Permit permit) {
    Stack stack = stacks.get();
    stack.setTop(new Entry(permit, unclaimed(stack.ownTop())));
  }

  /**
   * Claims a permit to give back: the current thread's newest, else the longest held on another
   * thread's stack. Returns null when no permit is out.
   */
  Permit take() {
    Stack own = stacks.get();
    for (Entry entry = own.ownTop(); entry != null; entry = entry.below()) {
      Permit permit = entry.claim();
      if (permit != null) {
        own.setTop(unclaimed(entry.below()));
        return permit;
      }
    }
    if (own.ownTop() != null) {
      own.setTop(null); // whatever was on the stack went to other threads
    }
    Permit permit = claimFromAnyStack();
    return permit != null ? permit : searchUntilSettled();
  }

  /**
   * A pass that found nothing may have passed a stack just before a permit was pushed onto it,
   * while the permits further on were taken: that permit was out all along, and is this caller's
   * to take. So look again, noting every stack's top, until a pass finds a permit or the tops are
   * as they were in the pass before: no permit was pushed in between, and none is out.
   */
  private Permit searchUntilSettled() {
    List<Entry> seen = new ArrayList<>();
    while (true) {
      seen.clear();
      for (Stack stack : all) {
        seen.add(stack.top());
        Permit permit = stack.claimOldest();
        if (permit != null) {
          return permit;
        }
      }
      int i = 0;
      boolean settled = true;
      for (Stack stack : all) {
        if (i >= seen.size() || stack.top() != seen.get(i++)) {
          settled = false;
          break;
        }
      }
      if (settled && i == seen.size()) {
        return null;
      }
      Thread.yield();
    }
  }

  /** One pass over every stack, for the longest-held permit of the first that has one. */
  private Permit claimFromAnyStack() {
    for (Iterator<Stack> it = all.iterator(); it.hasNext(); ) {
      Stack stack = it.next();
      Permit permit = stack.claimOldest();
      if (permit != null) {
        return permit;
      }
      if (stack.abandoned()) {
        it.remove();
      }
    }
    return null;
  }

  /** Permits out; walks every stack, for tests and diagnostics, not for the hot path. */
  int size() {
    int size = 0;
    for (Stack stack : all) {
      for (Entry e = stack.top(); e != null; e = e.below()) {
        if (e.permit != null) {
          size++;
        }
      }
    }
    return size;
  }

  private Stack register() {
    Stack stack = new Stack(Thread.currentThread());
    all.add(stack);
    if (registrations.incrementAndGet() % PRUNE_EVERY == 0) {
      all.removeIf(Stack::abandoned);
    }
    return stack;
  }

  /** The first entry from {@code entry} down that nobody has claimed yet. */
  private static Entry unclaimed(Entry entry) {
    while (entry != null && entry.permit == null) {
      entry = entry.below();
    }
    return entry;
  }

  /**
   * A thread's own permits, newest on top; only that thread moves the top, publishing each move
   * with a release store (cheaper than a volatile write) for the threads that look in.
   */
  private static final class Stack {
    private static final VarHandle TOP;

    static {
      try {
        TOP = MethodHandles.lookup().findVarHandle(Stack.class, "top", Entry.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final WeakReference<Thread> owner;
    private Entry top;

    Stack(Thread owner) {
      this.owner = new WeakReference<>(owner);
    }

    /** The top, as its own thread sees it. */
    Entry ownTop() {
      return top;
    }

    /** Moves the top; only the owning thread calls it. */
    void setTop(Entry entry) {
      TOP.setRelease(this, entry);
    }

    /** The top, as another thread sees it. */
    Entry top() {
      return (Entry) TOP.getAcquire(this);
    }

    /**
     * Claims the permit at the bottom of the stack, held longest; null if none is left. Every
     * entry below the one claimed was claimed before, so the stack is cut off above it: a thread
     * that always has a call out, whose calls other threads finish, keeps a short stack.
     */
    Permit claimOldest() {
      while (true) {
        Entry oldest = null;
        Entry aboveOldest = null;
        Entry above = null;
        for (Entry e = top(); e != null; above = e, e = e.below()) {
          if (e.permit != null) {
            oldest = e;
            aboveOldest = above;
          }
        }
        if (oldest == null) {
          return null;
        }
        Permit permit = oldest.claim();
        if (permit != null) {
          if (aboveOldest != null) {
            aboveOldest.cutBelow();
          }
          return permit;
        }
        // Claimed by someone else a moment ago: look again.
      }
    }

    /** Whether its thread has ended and it holds nothing. */
    boolean abandoned() {
      Thread thread = owner.get();
      return (thread == null || !thread.isAlive()) && unclaimed(top()) == null;
    }
  }

  private static final class Entry {
    private static final VarHandle PERMIT;
    private static final VarHandle BELOW;

    static {
      try {
        PERMIT = MethodHandles.lookup().findVarHandle(Entry.class, "permit", Permit.class);
        BELOW = MethodHandles.lookup().findVarHandle(Entry.class, "below", Entry.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Null once claimed, so a stale entry keeps nothing alive. */
    volatile Permit permit;
    /**
     * The entry its thread held before this one; entries below may be claimed already. Cut to
     * null once everything below is claimed (read and cut through BELOW; the constructor's plain
     * write is published by the release store of the stack's top).
     */
    private Entry below;

    Entry(Permit permit, Entry below) {
      this.permit = permit;
      this.below = below;
    }

    Entry below() {
      return (Entry) BELOW.getAcquire(this);
    }

    /** Drops everything below: only when all of it is claimed. */
    void cutBelow() {
      BELOW.setRelease(this, null);
    }

    /** Returns the permit if this call is the one that claims it, else null. */
    Permit claim() {
      Permit p = permit;
      return p != null && PERMIT.compareAndSet(this, p, null) ? p : null;
    }
  }
}
