package dev.lanes.resilience4j.review3;

import dev.lanes.resilience4j.LaneBulkhead;
import java.lang.reflect.Field;
import java.util.Collection;

/** Reads the inside of a LaneBulkhead's permit book (HeldPermits), for the review's tests. */
final class Book {

  private Book() {}

  /** The stacks registered in the book, one per thread that ever held or gave back a permit. */
  static Collection<?> stacks(LaneBulkhead bulkhead) throws ReflectiveOperationException {
    Object held = read(bulkhead, "held");
    return (Collection<?>) read(held, "all");
  }

  /** Entries linked below a stack's top, claimed or not: what the stack keeps reachable. */
  static int entries(Object stack) throws ReflectiveOperationException {
    int n = 0;
    for (Object e = read(stack, "top"); e != null; e = read(e, "below")) {
      n++;
    }
    return n;
  }

  /** The most entries any one stack keeps reachable. */
  static int longestStack(LaneBulkhead bulkhead) throws ReflectiveOperationException {
    int longest = 0;
    for (Object stack : stacks(bulkhead)) {
      longest = Math.max(longest, entries(stack));
    }
    return longest;
  }

  private static Object read(Object owner, String name) throws ReflectiveOperationException {
    Field f = owner.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }
}
