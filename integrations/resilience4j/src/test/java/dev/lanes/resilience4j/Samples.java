package dev.lanes.resilience4j;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A limit algorithm that keeps the limit and writes down every latency sample it is given. */
final class Samples implements LimitAlgorithm {

  final List<Duration> latencies = new CopyOnWriteArrayList<>();
  final List<Boolean> drops = new CopyOnWriteArrayList<>();

  @Override
  public void onSample(long startNanos, long rttNanos, int inFlight, boolean dropped) {
    latencies.add(Duration.ofNanos(rttNanos));
    drops.add(dropped);
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return currentLimit;
  }
}
