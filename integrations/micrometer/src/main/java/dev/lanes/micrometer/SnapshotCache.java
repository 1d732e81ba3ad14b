package dev.lanes.micrometer;

import dev.lanes.LaneSnapshot;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * One lane's snapshot, shared by that lane's meters, so that a scrape copies the lane's latency
 * histograms once and not once per meter.
 *
 * <p>{@code lane.snapshot()} copies three histograms of 608 buckets and reads every counter; a
 * lane exports over forty meters. A scrape is one thread reading each meter once, within a short
 * time, so each meter owns a <em>slot</em>, and a read is served from the snapshot held here
 * unless
 *
 * <ul>
 *   <li>its slot was already served from it: a new scrape has begun;
 *   <li>another thread took the snapshot: another scrape, or a scrape interleaved with this one;
 *   <li>the snapshot is older than {@link #MAX_AGE_NANOS}, so a thread that reads only some meters
 *       (a health check, a test) never gets a value staler than that.
 * </ul>
 *
 * <p>So every scrape takes one snapshot per lane, however its reads of one lane are spread among
 * other meters (Prometheus collects by name: every lane's {@code lanes.admitted}, then every
 * lane's {@code lanes.rejected}...), and no scrape is served from another's. A clock alone cannot
 * do both: a short expiry splits a slow scrape, a long one lets two quick scrapes share a
 * snapshot. Two scrapes of one lane at the same moment each stay fresh, at the price of more
 * snapshots.
 *
 * <p>Counters go through {@link #counter}, which never returns less than it returned before for
 * the same slot. The lane's totals only grow, and this keeps that promise where it matters most: a
 * Prometheus counter seen to fall reads as a reset, and {@code rate()} turns it into a spike the
 * size of the whole count. It costs one comparison per read.
 *
 * <p>Reads run under a lock that no lane operation ever takes, so a slow scrape delays only other
 * scrapes; {@code lane.snapshot()} is safe to call at any rate (rule 11 of a lane).
 */
final class SnapshotCache {

  /** How long a snapshot may serve the reads of slots not yet read from it. */
  static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Supplier<LaneSnapshot> source;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final BitSet served = new BitSet();
  private long[] highest = new long[64];
  private int slots;
  private LaneSnapshot snapshot;
  private Thread takenBy;
  private long takenNanos;

  SnapshotCache(Supplier<LaneSnapshot> source, LongSupplier clock) {
    this.source = source;
    this.clock = clock;
  }

  /** A new slot, for one meter (or one of a function timer's two values). */
  int newSlot() {
    lock.lock();
    try {
      if (slots == highest.length) {
        highest = Arrays.copyOf(highest, slots * 2);
      }
      return slots++;
    } finally {
      lock.unlock();
    }
  }

  /** A gauge's value, read from the scrape's snapshot. */
  double gauge(int slot, ToDoubleFunction<LaneSnapshot> value) {
    lock.lock();
    try {
      return value.applyAsDouble(serve(slot));
    } finally {
      lock.unlock();
    }
  }

  /** A counter's value, read from the scrape's snapshot; never below its last value. */
  long counter(int slot, ToLongFunction<LaneSnapshot> value) {
    lock.lock();
    try {
      long next = Math.max(highest[slot], value.applyAsLong(serve(slot)));
      highest[slot] = next;
      return next;
    } finally {
      lock.unlock();
    }
  }

  private LaneSnapshot serve(int slot) {
    long now = clock.getAsLong();
    Thread reader = Thread.currentThread();
    if (snapshot == null || served.get(slot) || takenBy != reader
        || now - takenNanos > MAX_AGE_NANOS) {
      snapshot = source.get();
      takenBy = reader;
      takenNanos = now;
      served.clear();
    }
    served.set(slot);
    return snapshot;
  }
}
