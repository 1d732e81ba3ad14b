package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;

/**
 * A limit that never moves: the lane still measures latency and reports it, but keeps its limit.
 *
 * <pre>{@code
 * Lane jni = Lane.builder("zlib").algorithm(FixedLimit.of(4)).limits(4, 4, 4).build();
 * Lane keep = Lane.builder("disk").algorithm(new FixedLimit()).build();   // stays at initial
 * }</pre>
 */
public final class FixedLimit implements LimitAlgorithm {

  private final int limit;

  /** Keeps whatever limit the lane has, which is its initial one. */
  public FixedLimit() {
    this.limit = 0;
  }

  private FixedLimit(int limit) {
    this.limit = Checks.atLeastOne("limit", limit);
  }

  /** Holds the lane at {@code limit} (clamped by the lane to its [min, max]). */
  public static FixedLimit of(int limit) {
    return new FixedLimit(limit);
  }

  @Override
  public int update(WindowSummary window, int currentLimit) {
    return limit == 0 ? currentLimit : limit;
  }

  @Override
  public String name() {
    return "fixed";
  }

  @Override
  public String toString() {
    return limit == 0 ? "FixedLimit[initial]" : "FixedLimit[" + limit + "]";
  }
}
