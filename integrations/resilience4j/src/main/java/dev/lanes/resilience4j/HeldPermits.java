package dev.lanes.resilience4j;

import dev.lanes.Permit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The permits a bulkhead handed out through {@code acquirePermission} and
 * {@code tryAcquirePermission}, which Resilience4j gives back with a bare {@code onComplete()} or
 * {@code releasePermission()} that does not say which call finished.
 *
 * <p>Each permit sits on a stack of the thread that took it, and in one queue of every permit out.
 * {@link #take()} gives the newest permit its own thread still holds, which is exactly the call that
 * a synchronous decorator wraps, nested or not. A thread that holds none (a completion stage that
 * finishes on another thread) gets the oldest permit out on any thread, since calls of similar
 * length finish in about the order they started. Whoever takes an entry claims it with one CAS, so
 * no permit is given back twice; an entry claimed through the queue is pruned from its thread's
 * stack lazily, the next time that thread looks.
 */
final class HeldPermits {

  private final ThreadLocal<Stack> stacks = ThreadLocal.withInitial(Stack::new);
  private final ConcurrentLinkedDeque<Entry> all = new ConcurrentLinkedDeque<>();

  /** Records a permit the current thread just took. */
  void hold(Permit permit) {
    Stack stack = stacks.get();
    Entry entry = new Entry(permit, unclaimed(stack.top));
    all.offerLast(entry);
    stack.top = entry;
  }

  /**
   * Claims a permit to give back: the current thread's newest, else the oldest of any thread.
   * Returns null when no permit is out.
   */
  Permit take() {
    Stack stack = stacks.get();
    for (Entry entry = stack.top; entry != null; entry = entry.below) {
      Permit permit = entry.claim();
      if (permit != null) {
        stack.top = unclaimed(entry.below);
        all.removeLastOccurrence(entry); // near the tail: it was added by this thread
        return permit;
      }
    }
    stack.top = null; // whatever was on the stack went to other threads
    for (Entry oldest; (oldest = all.pollFirst()) != null; ) {
      Permit permit = oldest.claim();
      if (permit != null) {
        return permit;
      }
    }
    return null;
  }

  /**
   * Entries in the queue: the permits out, plus any claimed a moment ago and not yet unlinked.
   * Walks the queue; for tests and diagnostics, not for the hot path.
   */
  int size() {
    return all.size();
  }

  /** The first entry from {@code entry} down that nobody has claimed yet. */
  private static Entry unclaimed(Entry entry) {
    while (entry != null && entry.permit == null) {
      entry = entry.below;
    }
    return entry;
  }

  /** A thread's own permits, newest on top; only that thread reads or writes it. */
  private static final class Stack {
    Entry top;
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
    private volatile Permit permit;
    /** The entry its thread held before this one; entries below may be claimed already. */
    private final Entry below;

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
