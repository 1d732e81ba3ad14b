package dev.lanes;

/**
 * The waiters of one priority, oldest first, as an intrusive doubly linked list: a waiter that
 * times out leaves from the middle in O(1). Changed only under the waiting room's lock; the size
 * is volatile so that readers of lane state never take that lock.
 */
final class WaitQueue {

  private Waiter head;
  private Waiter tail;
  private volatile int size;
  /** No waiter queued has a later deadline; reset when the queue empties. */
  private long latestDeadline = Long.MIN_VALUE;

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  void addNewest(Waiter waiter) {
    waiter.prev = tail;
    waiter.next = null;
    if (tail == null) {
      head = waiter;
    } else {
      tail.next = waiter;
    }
    tail = waiter;
    waiter.queued = true;
    size++;
    latestDeadline = Math.max(latestDeadline, waiter.deadline);
  }

  /**
   * How many waiters will still be waiting at {@code deadline} unless served first: those whose
   * own deadline is no earlier. Costs a walk of the queue only when some waiter may qualify.
   */
  int outlasting(long deadline) {
    if (latestDeadline < deadline) {
      return 0;
    }
    int count = 0;
    for (Waiter w = head; w != null; w = w.next) {
      if (w.deadline >= deadline) {
        count++;
      }
    }
    return count;
  }

  Waiter oldest() {
    return head;
  }

  Waiter newest() {
    return tail;
  }

  /** Unlinks {@code waiter}; returns false if it was not in the queue any more. */
  boolean remove(Waiter waiter) {
    if (!waiter.queued) {
      return false;
    }
    if (waiter.prev == null) {
      head = waiter.next;
    } else {
      waiter.prev.next = waiter.next;
    }
    if (waiter.next == null) {
      tail = waiter.prev;
    } else {
      waiter.next.prev = waiter.prev;
    }
    waiter.prev = null;
    waiter.next = null;
    waiter.queued = false;
    size--;
    if (size == 0) {
      latestDeadline = Long.MIN_VALUE;
    }
    return true;
  }
}
