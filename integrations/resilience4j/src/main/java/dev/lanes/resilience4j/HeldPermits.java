package dev.lanes.resilience4j;

import dev.lanes.Permit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The permits a bulkhead handed out through {@code acquirePermission} and
 * {@code tryAcquirePermission}, which Resilience4j gives back with a bare {@code onComplete()} or
 * {@code releasePermission()} that does not say which call finished.
 *
 * <p>Each permit sits on a stack of the thread that took it. {@link #take()} gives the newest
 * permit its own thread still holds, which is exactly the call that a synchronous decorator wraps,
 * nested or not; that path touches nothing shared but the permit itself. A thread that holds none
 * (a completion stage that finishes on another thread) looks through the other threads' stacks and
 * gets the permit held longest on the first stack that has one. Whoever takes an entry claims it
 * with one CAS, so no permit is given back twice; an entry claimed by another thread is pruned
 * from its owner's stack lazily, the next time the owner looks.
 */
final class HeldPermits {

  private final ThreadLocal<Stack> stacks = ThreadLocal.withInitial(this::register);
  /** Every thread's stack, for the threads that hold none of their own; pruned as threads die. */
  private final ConcurrentLinkedQueue<Stack> all = new ConcurrentLinkedQueue<>();

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
    for (Entry entry = own.ownTop(); entry != null; entry = entry.below) {
      Permit permit = entry.claim();
      if (permit != null) {
        own.setTop(unclaimed(entry.below));
        return permit;
      }
    }
    if (own.ownTop() != null) {
      own.setTop(null); // whatever was on the stack went to other threads
    }
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
      for (Entry e = stack.top(); e != null; e = e.below) {
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
    return stack;
  }

  /** The first entry from {@code entry} down that nobody has claimed yet. */
  private static Entry unclaimed(Entry entry) {
    while (entry != null && entry.permit == null) {
      entry = entry.below;
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

    /** Claims the permit at the bottom of the stack, held longest; null if none is left. */
    Permit claimOldest() {
      Entry oldest = null;
      for (Entry e = top(); e != null; e = e.below) {
        if (e.permit != null) {
          oldest = e;
        }
      }
      while (oldest != null) {
        Permit permit = oldest.claim();
        if (permit != null) {
          return permit;
        }
        oldest = unclaimedAbove(oldest);
      }
      return null;
    }

    /** The deepest unclaimed entry above {@code entry}, or null. */
    private Entry unclaimedAbove(Entry entry) {
      Entry candidate = null;
      for (Entry e = top(); e != null && e != entry; e = e.below) {
        if (e.permit != null) {
          candidate = e;
        }
      }
      return candidate;
    }

    /** Whether its thread has ended and it holds nothing. */
    boolean abandoned() {
      Thread thread = owner.get();
      return (thread == null || !thread.isAlive()) && unclaimed(top()) == null;
    }
  }

  private static final class Entry {
    private static final VarHandle PERMIT;

    static {
      try {
        PERMIT = MethodHandles.lookup().findVarHandle(Entry.class, "permit", Permit.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Null once claimed, so a stale entry keeps nothing alive. */
    volatile Permit permit;
    /** The entry its thread held before this one; entries below may be claimed already. */
    final Entry below;

    Entry(Permit permit, Entry below) {
      this.permit = permit;
      this.below = below;
    }

    /** Returns the permit if this call is the one that claims it, else null. */
    Permit claim() {
      Permit p = permit;
      return p != null && PERMIT.compareAndSet(this, p, null) ? p : null;
    }
  }
}
