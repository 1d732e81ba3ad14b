package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.WindowSummary;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A lane's state at one moment: its limit, what is in flight and waiting, and running totals per
 * priority since the lane was built.
 *
 * <pre>{@code
 * LaneSnapshot s = lane.snapshot();
 * System.out.printf("%s: limit %d, in flight %d, NORMAL p99 %d us, %d timed out%n",
 *     s.name(), s.limit(), s.inFlight(),
 *     s.latencyNanos(Priority.NORMAL, 0.99) / 1000, s.timedOut(Priority.NORMAL));
 * }</pre>
 *
 * <p>The counters are read one after another while the lane keeps working, so under load they are
 * each exact but not taken at exactly the same instant.
 */
public final class LaneSnapshot {

  private final String name;
  private final int minLimit;
  private final int limit;
  private final int maxLimit;
  private final int inFlight;
  private final Map<Priority, PriorityStats> stats;
  private final WindowSummary lastWindow;

  private LaneSnapshot(
      String name, int[] limits, int inFlight, Map<Priority, PriorityStats> stats,
      WindowSummary lastWindow) {
    this.name = name;
    this.minLimit = limits[0];
    this.limit = limits[1];
    this.maxLimit = limits[2];
    this.inFlight = inFlight;
    this.stats = stats;
    this.lastWindow = lastWindow;
  }

  static LaneSnapshot of(
      Lane lane, Gate gate, WaitingRoom room, LaneCounters counters, LatencyWindow window) {
    int laneInFlight = lane.inFlight();
    Map<Priority, PriorityStats> stats = new EnumMap<>(Priority.class);
    for (Priority p : Priority.values()) {
      long[] rejected = new long[Reason.values().length];
      for (Reason reason : Reason.values()) {
        rejected[reason.ordinal()] = counters.rejectedCount(p, reason);
      }
      Distribution latency = window == null ? Distribution.EMPTY : window.distribution(p);
      long completed = counters.completedCount(p, gate);
      stats.put(p, new PriorityStats(
          room.waiting(p),
          counters.admittedCount(p, gate),
          rejected,
          completed,
          counters.droppedCount(p),
          counters.ignoredCount(p),
          counters.bypassedCount(p),
          latency));
    }
    return new LaneSnapshot(lane.name(), lane.limits(), laneInFlight, stats,
        window == null ? null : window.lastWindow());
  }

  /** The lane's name. */
  public String name() {
    return name;
  }

  /** The limit at the moment of the snapshot. */
  public int limit() {
    return limit;
  }

  /** The lowest the limit could go at the moment of the snapshot; read together with the limit. */
  public int minLimit() {
    return minLimit;
  }

  /** The highest the limit could go at the moment of the snapshot; read together with the limit. */
  public int maxLimit() {
    return maxLimit;
  }

  /** Permits out at the moment of the snapshot, every priority together. */
  public int inFlight() {
    return inFlight;
  }

  /** Calls of {@code priority} waiting for a permit ({@code CRITICAL} never waits). */
  public int waiting(Priority priority) {
    return stats.get(priority).waiting;
  }

  /** Calls waiting for a permit, every priority together. */
  public int waiting() {
    return waiting(Priority.NORMAL) + waiting(Priority.BACKGROUND);
  }

  /** Permits granted to {@code priority}. */
  public long admitted(Priority priority) {
    return stats.get(priority).admitted;
  }

  /** Calls of {@code priority} refused for {@code reason}. */
  public long rejected(Priority priority, Reason reason) {
    return stats.get(priority).rejected[reason.ordinal()];
  }

  /** Calls of {@code priority} refused for any reason. */
  public long rejected(Priority priority) {
    long total = 0;
    for (long n : stats.get(priority).rejected) {
      total += n;
    }
    return total;
  }

  /** Calls of {@code priority} that waited as long as they were allowed to. */
  public long timedOut(Priority priority) {
    return rejected(priority, Reason.TIMEOUT);
  }

  /** Permits of {@code priority} released with {@code dropped()}. */
  public long dropped(Priority priority) {
    return stats.get(priority).dropped;
  }

  /** Permits of {@code priority} released with {@code ignore()}. */
  public long ignored(Priority priority) {
    return stats.get(priority).ignored;
  }

  /** {@code CRITICAL} permits granted while the lane was at or above its limit. */
  public long bypassed(Priority priority) {
    return stats.get(priority).bypassed;
  }

  /** Permits of {@code priority} released with {@code close()}: the calls measured. */
  public long completed(Priority priority) {
    return stats.get(priority).completed;
  }

  /**
   * The latency at {@code quantile} of the {@link #timed timed} calls of {@code priority} since the
   * lane was built; 0 if none was.
   */
  public long latencyNanos(Priority priority, double quantile) {
    return stats.get(priority).latency.percentile(quantile);
  }

  /**
   * Calls of {@code priority} whose latency the lane timed, since it was built: every call while
   * calls are rare, one in {@code k} on a busy lane (see
   * {@link dev.lanes.limit.WindowConfig#timedCalls(int)}). The latency figures here are theirs.
   */
  public long timed(Priority priority) {
    return stats.get(priority).latency.count();
  }

  /**
   * The total time of the {@link #timed timed} calls of {@code priority} since the lane was built,
   * from the same histogram as {@link #latencyNanos}: each call counts at its bucket's midpoint,
   * within about 3% of its true latency.
   */
  public long totalLatencyNanos(Priority priority) {
    return stats.get(priority).latency.sum();
  }

  /** The last window the lane's algorithm saw, if one has closed. */
  public Optional<WindowSummary> lastWindow() {
    return Optional.ofNullable(lastWindow);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder()
        .append("Lane '").append(name).append("': limit ").append(limit)
        .append(", in flight ").append(inFlight);
    for (Priority p : Priority.values()) {
      text.append("; ").append(p).append(": admitted ").append(admitted(p))
          .append(", waiting ").append(waiting(p))
          .append(", rejected ").append(rejected(p))
          .append(", p99 ").append(latencyNanos(p, 0.99) / 1000).append(" us");
    }
    return text.toString();
  }

  private static final class PriorityStats {
    final int waiting;
    final long admitted;
    final long[] rejected;
    final long completed;
    final long dropped;
    final long ignored;
    final long bypassed;
    final Distribution latency;

    PriorityStats(
        int waiting, long admitted, long[] rejected, long completed, long dropped, long ignored,
        long bypassed, Distribution latency) {
      this.waiting = waiting;
      this.admitted = admitted;
      this.rejected = rejected;
      this.completed = completed;
      this.dropped = dropped;
      this.ignored = ignored;
      this.bypassed = bypassed;
      this.latency = latency;
    }
  }
}
