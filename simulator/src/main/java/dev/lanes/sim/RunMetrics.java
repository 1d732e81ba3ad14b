package dev.lanes.sim;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Everything one run records: per priority, and over time for the charts and settle times. */
final class RunMetrics {

  /** How often the limit and the capacity are sampled. */
  static final long SAMPLE_NANOS = Simulation.seconds(0.1);

  private final Map<Priority, PriorityMetrics> byPriority = new EnumMap<>(Priority.class);
  private final List<Second> seconds = new ArrayList<>();
  final List<int[]> limitSamples = new ArrayList<>();      // {limit, optimum}
  private double capacityRequests;
  private final Simulation sim;

  RunMetrics(Simulation sim) {
    this.sim = sim;
    for (Priority p : Priority.values()) {
      byPriority.put(p, new PriorityMetrics());
    }
  }

  void offered(Priority priority) {
    byPriority.get(priority).offered++;
  }

  void refused(Priority priority, Reason reason) {
    byPriority.get(priority).refused[reason.ordinal()]++;
  }

  void served(Priority priority, long deviceNanos, long endToEndNanos, boolean late) {
    PriorityMetrics m = byPriority.get(priority);
    m.deviceLatency.recordValue(Math.max(1, deviceNanos));
    m.endToEnd.recordValue(Math.max(1, endToEndNanos));
    if (late) {
      m.late++;
    } else {
      m.onTime++;
    }
    Second second = second();
    second.deviceLatency.recordValue(Math.max(1, deviceNanos));
    if (!late) {
      second.onTime++;
    }
  }

  /** Called every {@link #SAMPLE_NANOS}: the limit, the true parallelism and the capacity. */
  void sample(int limit, int parallelism, double capacityPerSecond) {
    limitSamples.add(new int[] {limit, parallelism});
    capacityRequests += capacityPerSecond * SAMPLE_NANOS / 1e9;
    second().capacityRequests += capacityPerSecond * SAMPLE_NANOS / 1e9;
  }

  PriorityMetrics of(Priority priority) {
    return byPriority.get(priority);
  }

  /** Requests the device could have completed over the run. */
  double capacityRequests() {
    return capacityRequests;
  }

  List<Second> seconds() {
    return seconds;
  }

  private Second second() {
    int index = (int) (sim.now() / 1_000_000_000L);
    while (seconds.size() <= index) {
      seconds.add(new Second());
    }
    return seconds.get(index);
  }

  static Histogram histogram() {
    return new Histogram(3_600_000_000_000L, 2);
  }

  /** What one priority saw over the whole run. */
  static final class PriorityMetrics {
    long offered;
    long onTime;
    long late;
    final long[] refused = new long[Reason.values().length];
    final Histogram deviceLatency = histogram();
    final Histogram endToEnd = histogram();

    long refusedTotal() {
      return java.util.Arrays.stream(refused).sum();
    }
  }

  /** One second of the run, for the charts. */
  static final class Second {
    long onTime;
    double capacityRequests;
    final Histogram deviceLatency = histogram();
  }
}
