package dev.lanes.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simulation's pending events, earliest first, ties in the order they were scheduled.
 *
 * <p>A run of the NVMe scenario makes some sixty million events, and a lane schedules a timeout
 * for every call that waits, to cancel it a moment later when the call is served. Two things keep
 * that cheap:
 * <ul>
 *   <li>Events due from the next millisecond on wait in a ring of one-millisecond buckets (a
 *       timing wheel), unsorted, and enter the heap only when their millisecond comes. A timeout
 *       cancelled before then never touches the heap, which holds little more than the events of
 *       the current millisecond: the device's completions and the next arrival.
 *   <li>The heap keeps each event's time and sequence number in arrays of their own, so the
 *       comparisons of a sift read memory in order instead of chasing one object per event.
 * </ul>
 * Events too far ahead for the ring go to the heap directly. The order is exact either way: an
 * event leaves the queue only once nothing earlier can be anywhere in it.
 */
final class EventQueue {

  private static final long BUCKET_NANOS = 1_000_000L;
  private static final int BUCKETS = 2_048;
  /** Cancelled events are purged from the heap once there are this many and half of it. */
  private static final int PURGE_AT = 1_024;
  /** ... and from a bucket of the ring once there are this many and half of it. */
  private static final int PURGE_BUCKET_AT = 32;

  private long[] times = new long[256];
  private long[] sequences = new long[256];
  private Simulation.Event[] heap = new Simulation.Event[256];
  private int size;
  private int cancelledInHeap;

  @SuppressWarnings("unchecked")
  private final List<Simulation.Event>[] wheel = new List[BUCKETS];
  /** Where the ring starts: every event in it is due at or after this time. */
  private long wheelFrom = BUCKET_NANOS;
  private int inWheel;
  private final int[] cancelledInBucket = new int[BUCKETS];

  void add(Simulation.Event event) {
    long time = event.time();
    if (time >= wheelFrom && time - wheelFrom < (long) BUCKETS * BUCKET_NANOS) {
      int bucket = bucketOf(time);
      List<Simulation.Event> events = wheel[bucket];
      if (events == null) {
        events = wheel[bucket] = new ArrayList<>();
      }
      events.add(event);
      event.inWheel = true;
      inWheel++;
    } else {
      push(event);
    }
  }

  /** Removes and returns the earliest event due at or before {@code end}, or null if none is. */
  Simulation.Event pollUntil(long end) {
    while (true) {
      if (size > 0 && times[0] < wheelFrom) {
        break; // nothing in the ring can come earlier
      }
      if (inWheel == 0) {
        if (size == 0) {
          return null;
        }
        // Nothing in the ring: move it up to the heap's earliest event, which is due next, so
        // that events scheduled from then on are not spread over buckets long past.
        wheelFrom = Math.max(wheelFrom, times[0] / BUCKET_NANOS * BUCKET_NANOS);
        break;
      }
      if (wheelFrom > end) {
        break; // the ring holds nothing due by the end; the heap may
      }
      drainNextBucket();
    }
    if (size == 0 || times[0] > end) {
      return null;
    }
    Simulation.Event first = heap[0];
    int last = --size;
    if (last > 0) {
      siftDown(0, heap[last], times[last], sequences[last]);
    }
    heap[last] = null;
    if (first.isCancelled()) {
      cancelledInHeap--;
    }
    return first;
  }

  /**
   * An event was cancelled. It stays where it is and is skipped when its time comes, unless the
   * cancelled events have become half of where they sit: then they go, so that a second's worth
   * of cancelled timeouts (and what they hold on to) is not kept alive until it would have run.
   */
  void cancelled(Simulation.Event event) {
    if (event.inWheel) {
      int bucket = bucketOf(event.time());
      List<Simulation.Event> events = wheel[bucket];
      if (++cancelledInBucket[bucket] >= PURGE_BUCKET_AT
          && cancelledInBucket[bucket] * 2 >= events.size()) {
        int before = events.size();
        events.removeIf(Simulation.Event::isCancelled);
        inWheel -= before - events.size();
        cancelledInBucket[bucket] = 0;
      }
    } else if (++cancelledInHeap >= PURGE_AT && cancelledInHeap * 2 >= size) {
      removeCancelledFromHeap();
    }
  }

  private static int bucketOf(long time) {
    return (int) ((time / BUCKET_NANOS) % BUCKETS);
  }

  private void drainNextBucket() {
    int bucket = bucketOf(wheelFrom);
    List<Simulation.Event> events = wheel[bucket];
    wheelFrom += BUCKET_NANOS;
    cancelledInBucket[bucket] = 0;
    if (events == null || events.isEmpty()) {
      return;
    }
    for (Simulation.Event event : events) {
      event.inWheel = false;
      inWheel--;
      if (!event.isCancelled()) {
        push(event);
      }
    }
    events.clear();
  }

  private void push(Simulation.Event event) {
    if (size == times.length) {
      int capacity = size * 2;
      times = Arrays.copyOf(times, capacity);
      sequences = Arrays.copyOf(sequences, capacity);
      heap = Arrays.copyOf(heap, capacity);
    }
    long time = event.time();
    long sequence = event.sequence();
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!earlier(time, sequence, times[parent], sequences[parent])) {
        break;
      }
      put(i, heap[parent], times[parent], sequences[parent]);
      i = parent;
    }
    put(i, event, time, sequence);
  }

  /** Drops every cancelled event from the heap and restores it, in linear time. */
  private void removeCancelledFromHeap() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (!heap[i].isCancelled()) {
        put(kept++, heap[i], times[i], sequences[i]);
      }
    }
    Arrays.fill(heap, kept, size, null);
    size = kept;
    cancelledInHeap = 0;
    for (int i = (size >>> 1) - 1; i >= 0; i--) {
      siftDown(i, heap[i], times[i], sequences[i]);
    }
  }

  private void siftDown(int i, Simulation.Event event, long time, long sequence) {
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size
          && earlier(times[right], sequences[right], times[child], sequences[child])) {
        child = right;
      }
      if (!earlier(times[child], sequences[child], time, sequence)) {
        break;
      }
      put(i, heap[child], times[child], sequences[child]);
      i = child;
    }
    put(i, event, time, sequence);
  }

  private void put(int i, Simulation.Event event, long time, long sequence) {
    heap[i] = event;
    times[i] = time;
    sequences[i] = sequence;
  }

  private static boolean earlier(long time, long sequence, long otherTime, long otherSequence) {
    return time < otherTime || (time == otherTime && sequence < otherSequence);
  }
}
