package dev.lanes;

import java.util.function.LongSupplier;

/**
 * Watches a waiting room's queue for {@link QueueOrder#ADAPTIVE}: whether it stands, and how
 * fast it is served. Guarded by the waiting room's lock.
 *
 * <p><b>A standing queue</b>, as in CoDel, is one that does not drain within an interval. CoDel
 * watches the smallest time a packet spent in the queue; here the order of service changes with
 * the verdict (newest first serves calls that waited no time at all), so the watch uses a measure
 * that no order can change: the shortest the queue got during the interval. The queue stands when
 * it never emptied and its shortest length was more than {@code target} worth of service, that is
 * {@code minQueued > target × rate}, with {@code rate} the hand-overs per second in the interval
 * (while the queue never empties, every freed permit goes to a waiter, so that is the rate at
 * which the resource serves the queue); and when the callers outrun the resource: the queue grew
 * by more than a tenth of what it served over this interval and the one before (one interval of
 * growth is a burst, or worker threads arriving), or the lane turned callers away (a full queue,
 * a wait that ran out, an early refusal). That last condition tells an open stream of
 * callers, whose queue grows until it overflows and whose oldest waiters go stale, from a closed
 * loop of worker threads, whose queue is long but steady, bounded by their number: nobody in it
 * runs out of patience, and arrival order is both fair and as fast.
 *
 * <p><b>The target</b> is twice the typical latency of a call, between 100 µs and 1 s, or CoDel's
 * 5 ms before the lane has measured anything: a queue worth two service times is one that the
 * burst that built it should long since have drained. The typical latency is the lowest median of
 * the last {@link #MEDIANS} windows, as BBR keeps its round trip from the lowest recent one: a
 * window of a lane that starts far above its resource's parallelism is all queue, and must not
 * stretch the verdict. <b>The interval</b> is five targets (ten service times) and at least 100 ms: long
 * enough that a burst the queue absorbs has drained within it, short enough that a lane in front
 * of a slow resource turns to serving the newest within a second or so of an overload. (CoDel's
 * own ratio, twenty, suits network queues whose target is a small part of a round trip; here the
 * target is already two service times.) An interval starts when the first call joins the queue
 * of an idle lane, so an overload is judged after one interval, not two.
 *
 * <p><b>Deadlines.</b> A call with {@code n - 1} calls ahead of it needs {@code n} hand-overs.
 * When completions arrive at rate {@code r} roughly as a Poisson stream, {@code n} of them take
 * {@code n / r} on average, with a standard deviation of {@code sqrt(n) / r}. A call is refused at
 * once only when even three standard deviations of luck would not get it served within its
 * {@code maxWait}: {@code (n − 3 sqrt(n)) / r > maxWait}. The rate is not the last interval's
 * hand-over rate, which the permits of that moment set (the limit may have risen since; CRITICAL
 * calls, or calls admitted before the queue formed, may have held some): it is every permit of the
 * limit now over the time a permit was held, {@code r = limit / S}. {@code S} comes from Little's
 * law on the permits the queue was served with over the last interval: their number out, sampled
 * as calls join and integrated over time, divided by the hand-overs. And it is doubled,
 * as if calls had become twice as fast since: the estimate is meant to catch the hopeless, never a
 * call that could make it. It needs an interval in which the queue never emptied and at least
 * {@link #MIN_GRANTS} calls were handed a permit; a lane with no such measurement refuses nobody
 * early.
 */
final class QueueWatch {

  static final long DEFAULT_TARGET_NANOS = 5_000_000L;
  static final long MIN_TARGET_NANOS = 100_000L;
  static final long MAX_TARGET_NANOS = 1_000_000_000L;
  static final long MIN_INTERVAL_NANOS = 100_000_000L;
  static final int INTERVAL_TARGETS = 5;
  /** Hand-overs an interval needs before its rate means anything. */
  static final int MIN_GRANTS = 8;
  /** Window medians the target is the lowest of. */
  static final int MEDIANS = 8;

  private final LongSupplier typicalLatencyNanos;
  private boolean started;
  private long intervalStart;
  private long targetNanos = DEFAULT_TARGET_NANOS;
  private long intervalNanos = MIN_INTERVAL_NANOS;
  private int minQueued;
  /** The queue's length as the interval began, once the call that began it had joined. */
  private int startQueued = -1;
  private int grants;
  private final long[] medians = new long[MEDIANS];
  private int nextMedian;
  /**
   * Permits handed from the queue and not yet released, integrated over the interval's time
   * (permit-nanoseconds), from the samples each tick takes.
   */
  private double servedOutIntegral;
  private long lastSampleNanos;
  private long lastServedOut;
  private boolean turnedAway;
  private boolean grewBefore;
  private boolean standing;
  /** Hand-overs per second in the last interval, or 0 if it says nothing. */
  private double rate;
  /** How long a permit was held, per the last interval, or 0 if it says nothing. */
  private double holdNanos;

  /** @param typicalLatencyNanos the median latency of the lane's last window, 0 if none */
  QueueWatch(LongSupplier typicalLatencyNanos) {
    this.typicalLatencyNanos = typicalLatencyNanos;
  }

  /** Sees the queue's length after every change to it. */
  void observe(int queued) {
    if (startQueued < 0) {
      startQueued = queued;
    }
    if (queued < minQueued) {
      minQueued = queued;
    }
    if (queued == 0) {
      standing = false; // a queue that emptied does not stand
    }
  }

  /** Counts a call handed a permit from the queue. */
  void granted() {
    grants++;
  }

  /** A caller was turned away: a full queue, an eviction, a wait that ran out, a refusal. */
  void turnedAway() {
    turnedAway = true;
  }

  /** Whether the queue stood through the last interval; then it is served newest first. */
  boolean standing() {
    return standing;
  }

  /**
   * Closes the interval if it is over; called, with the clock, as a call joins a queue of
   * {@code queued}.
   */
  void tick(long nowNanos, int queued, long servedOut) {
    if (!started) {
      started = true;
      lastSampleNanos = nowNanos;
      lastServedOut = servedOut;
      restart(nowNanos);
      return;
    }
    // A reading older than the last sample (its caller read the clock, then stalled before the
    // lock) counts as the last sample's time: time never runs backwards here, or the same span
    // would be counted twice.
    nowNanos = Math.max(nowNanos, lastSampleNanos);
    // The lower of two samples for the time between them: a count that rose or fell in between
    // is never taken as higher than it was, so the hold time is never overestimated from it.
    servedOutIntegral += (double) Math.min(lastServedOut, servedOut)
        * (nowNanos - lastSampleNanos);
    lastSampleNanos = nowNanos;
    lastServedOut = servedOut;
    long elapsed = nowNanos - intervalStart;
    if (elapsed < intervalNanos) {
      return;
    }
    boolean neverEmptied = minQueued > 0;
    boolean measured = neverEmptied && grants >= MIN_GRANTS;
    rate = measured ? grants * 1e9 / elapsed : 0;
    // Little's law for the permits the queue was served with: on average servedOut of them were
    // out, and grants / elapsed were handed over, so each was held servedOut × elapsed / grants.
    holdNanos = measured ? servedOutIntegral / grants : 0;
    boolean grew = startQueued >= 0 && queued - startQueued > Math.max(1, grants / 10);
    standing = (turnedAway || (grew && grewBefore)) && rate > 0
        && minQueued > targetNanos * rate / 1e9;
    grewBefore = grew;
    long typical = lowestRecentMedian(typicalLatencyNanos.getAsLong());
    if (typical > 0) {
      targetNanos = Math.max(MIN_TARGET_NANOS, Math.min(MAX_TARGET_NANOS, 2 * typical));
      intervalNanos = Math.max(MIN_INTERVAL_NANOS, INTERVAL_TARGETS * targetNanos);
    }
    restart(nowNanos);
  }

  /**
   * Whether a call with {@code ahead} calls before it in the order of service clearly cannot be
   * served within {@code maxWaitNanos}, with {@code limit} permits in the lane now: all of them,
   * as if nothing but the queue held any, so the estimate errs towards waiting.
   */
  boolean clearlyTooLate(int ahead, long maxWaitNanos, int limit) {
    if (holdNanos <= 0) {
      return false;
    }
    double perNano = 2.0 * limit / holdNanos;
    double needed = ahead + 1.0;
    double withLuck = needed - 3 * Math.sqrt(needed);
    return withLuck / perNano > maxWaitNanos;
  }

  /** Keeps {@code median} among the last few, and returns the lowest of them (0 if none). */
  private long lowestRecentMedian(long median) {
    if (median > 0 && median != medians[(nextMedian + MEDIANS - 1) % MEDIANS]) {
      medians[nextMedian] = median;
      nextMedian = (nextMedian + 1) % MEDIANS;
    }
    long lowest = 0;
    for (long m : medians) {
      if (m > 0 && (lowest == 0 || m < lowest)) {
        lowest = m;
      }
    }
    return lowest;
  }

  private void restart(long nowNanos) {
    intervalStart = nowNanos;
    startQueued = -1;
    // The call joining now is not queued yet; the watch sees the queue's length again as soon
    // as it is (observe). Until then, nothing in this interval has been short.
    minQueued = Integer.MAX_VALUE;
    grants = 0;
    servedOutIntegral = 0;
    turnedAway = false;
  }
}
