package dev.lanes.sim;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one contender achieved in one scenario: per priority goodput, latency and refusals, the
 * limit's mean and spread, and how fast it settled after each change.
 *
 * <pre>{@code
 * RunResult r = new Run(scenario, Contender.lanes("gradient"), 1).execute();
 * System.out.println(r.goodput() + " of capacity, NORMAL p99 " + r.endToEndMillis(NORMAL, 0.99));
 * }</pre>
 */
public final class RunResult {

  private final Scenario scenario;
  private final Contender contender;
  private final RunMetrics metrics;

  RunResult(Scenario scenario, Contender contender, RunMetrics metrics) {
    this.scenario = scenario;
    this.contender = contender;
    this.metrics = metrics;
  }

  public Scenario scenario() {
    return scenario;
  }

  public Contender contender() {
    return contender;
  }

  /** Requests of {@code priority} served on time, as a fraction of what the device could do. */
  public double goodput(Priority priority) {
    return metrics.of(priority).onTime / metrics.capacityRequests();
  }

  /** Every priority's on-time requests, as a fraction of what the device could do. */
  public double goodput() {
    double total = 0;
    for (Priority p : Priority.values()) {
      total += goodput(p);
    }
    return total;
  }

  public long offered(Priority priority) {
    return metrics.of(priority).offered;
  }

  /** Refused requests as a fraction of those offered. */
  public double rejectionRate(Priority priority) {
    long offered = offered(priority);
    return offered == 0 ? 0 : (double) metrics.of(priority).refusedTotal() / offered;
  }

  public long refused(Priority priority, Reason reason) {
    return metrics.of(priority).refused[reason.ordinal()];
  }

  /** Served requests that came back after their caller had given up. */
  public long late(Priority priority) {
    return metrics.of(priority).late;
  }

  /** Device latency (queueing inside the device included) at {@code quantile}, in ms. */
  public double deviceMillis(Priority priority, double quantile) {
    return metrics.of(priority).deviceLatency.getValueAtPercentile(quantile * 100) / 1e6;
  }

  /** Latency from arrival to completion, the wait in the lane included, in ms. */
  public double endToEndMillis(Priority priority, double quantile) {
    return metrics.of(priority).endToEnd.getValueAtPercentile(quantile * 100) / 1e6;
  }

  /** The mean limit over the run; NaN without a limit. */
  public double limitMean() {
    return limits().average().orElse(Double.NaN);
  }

  /** The limit's standard deviation over the run; NaN without a limit. */
  public double limitStdDev() {
    double mean = limitMean();
    return Math.sqrt(limits().map(l -> (l - mean) * (l - mean)).average().orElse(Double.NaN));
  }

  /** The limit as sampled every 100 ms from {@code fromSeconds} until {@code toSeconds}. */
  public int[] limits(double fromSeconds, double toSeconds) {
    double sampleSeconds = RunMetrics.SAMPLE_NANOS / 1e9;
    List<int[]> samples = metrics.limitSamples;
    return java.util.stream.IntStream.range(0, samples.size())
        .filter(i -> i * sampleSeconds >= fromSeconds && i * sampleSeconds < toSeconds)
        .map(i -> samples.get(i)[0]).toArray();
  }

  /** The highest limit sampled from {@code fromSeconds} until {@code toSeconds}; -1 without one. */
  public int limitMax(double fromSeconds, double toSeconds) {
    return Arrays.stream(limits(fromSeconds, toSeconds)).max().orElse(-1);
  }

  /**
   * Seconds from each change of the optimum (the device's true P) until the limit settles within
   * ±25% of it: the first moment from which the median of every following second of limit
   * samples stays in that band until the next change. A probe dips the limit for one sample, so
   * the median overlooks it. {@code NaN} when it never settles; empty without changes.
   */
  public List<Double> settleSeconds() {
    List<Double> result = new ArrayList<>();
    List<int[]> samples = metrics.limitSamples;
    if (Double.isNaN(limitMean())) {
      return result; // no limit, nothing to settle
    }
    double sampleSeconds = RunMetrics.SAMPLE_NANOS / 1e9;
    for (Change change : scenario.changes()) {
      int from = (int) Math.round(change.atSeconds() / sampleSeconds);
      int to = samples.size();
      for (Change next : scenario.changes()) {
        int at = (int) Math.round(next.atSeconds() / sampleSeconds);
        if (at > from && at < to) {
          to = at;
        }
      }
      result.add(settle(samples, from, to) * sampleSeconds);
    }
    return result;
  }

  /** The sample index, counted from {@code from}, from which the limit stays settled. */
  private static double settle(List<int[]> samples, int from, int to) {
    int window = 10;
    int settledFrom = -1;
    for (int i = to - 1; i >= from; i--) {
      int end = Math.min(to, i + window);
      int[] limits = new int[end - i];
      for (int j = i; j < end; j++) {
        limits[j - i] = samples.get(j)[0];
      }
      Arrays.sort(limits);
      double median = limits[limits.length / 2];
      int optimum = samples.get(i)[1];
      if (median >= 0.75 * optimum && median <= 1.25 * optimum) {
        settledFrom = i;
      } else {
        break;
      }
    }
    return settledFrom < 0 ? Double.NaN : settledFrom - from;
  }

  /** Second-by-second series for the charts: limit (mean), device p99 in ms, goodput. */
  double[][] series() {
    List<RunMetrics.Second> seconds = metrics.seconds();
    int n = (int) scenario.seconds();
    double[][] series = new double[4][n];
    for (int s = 0; s < n; s++) {
      series[0][s] = s + 0.5;
      double sum = 0;
      int count = 0;
      for (int i = s * 10; i < Math.min(metrics.limitSamples.size(), s * 10 + 10); i++) {
        sum += metrics.limitSamples.get(i)[0];
        count++;
      }
      series[1][s] = count == 0 ? Double.NaN : sum / count;
      RunMetrics.Second second = s < seconds.size() ? seconds.get(s) : null;
      series[2][s] = second == null || second.deviceLatency.getTotalCount() == 0 ? Double.NaN
          : second.deviceLatency.getValueAtPercentile(99) / 1e6;
      series[3][s] = second == null || second.capacityRequests == 0 ? 0
          : second.onTime / second.capacityRequests;
    }
    return series;
  }

  private java.util.stream.DoubleStream limits() {
    return metrics.limitSamples.stream().mapToDouble(s -> s[0]).filter(l -> l >= 0);
  }

  @Override
  public String toString() {
    return scenario.name() + " / " + contender.name() + ": goodput " + goodput();
  }
}
