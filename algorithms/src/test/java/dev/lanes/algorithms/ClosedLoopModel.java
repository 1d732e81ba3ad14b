package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import java.util.SplittableRandom;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;

/**
 * A resource of true parallelism P under a closed loop that always has a call ready: latency is
 * flat up to P concurrent calls and grows in proportion beyond it, as in a disk's queue. Each
 * window runs at the limit the algorithm chose, clamped to [1, 1000] like a lane would.
 */
final class ClosedLoopModel {

  static final int MIN = 1;
  static final int MAX = 1_000;

  private final IntUnaryOperator parallelismAtWindow;
  private final IntToLongFunction serviceNanosAtWindow;
  private final double noise;
  private final SplittableRandom random;

  private ClosedLoopModel(IntUnaryOperator parallelismAtWindow,
      IntToLongFunction serviceNanosAtWindow, double noise, long seed) {
    this.parallelismAtWindow = parallelismAtWindow;
    this.serviceNanosAtWindow = serviceNanosAtWindow;
    this.noise = noise;
    this.random = new SplittableRandom(seed);
  }

  /** No noise, and a service time of 1 ms throughout. */
  static ClosedLoopModel of(int parallelism) {
    return new ClosedLoopModel(w -> parallelism, w -> 1_000_000L, 0, 0);
  }

  /** The service time changes with the window index. */
  static ClosedLoopModel of(int parallelism, IntToLongFunction serviceNanosAtWindow) {
    return new ClosedLoopModel(w -> parallelism, serviceNanosAtWindow, 0, 0);
  }

  /** The parallelism changes with the window index; the service time is 1 ms throughout. */
  static ClosedLoopModel withParallelism(IntUnaryOperator parallelismAtWindow) {
    return new ClosedLoopModel(parallelismAtWindow, w -> 1_000_000L, 0, 0);
  }

  /** Each window's tail is off by a seeded log-normal factor of spread {@code sigma}. */
  static ClosedLoopModel noisy(int parallelism, double sigma, long seed) {
    return new ClosedLoopModel(w -> parallelism, w -> 1_000_000L, sigma, seed);
  }

  /** Runs {@code windows} windows from {@code start}; returns the limit each window ran at. */
  int[] run(LimitAlgorithm algorithm, int start, int windows) {
    int[] limits = new int[windows];
    int limit = clamp(start);
    for (int w = 0; w < windows; w++) {
      limits[w] = limit;
      int parallelism = parallelismAtWindow.applyAsInt(w);
      long latency = serviceNanosAtWindow.applyAsLong(w) * Math.max(limit, parallelism)
          / parallelism;
      if (noise > 0) {
        latency = (long) (latency * Math.exp(noise * random.nextGaussian()));
      }
      int samples = (int) Math.max(1, limit * 100_000_000L / latency);
      limit = clamp(algorithm.update(new Window(samples, 0, latency, limit), limit));
    }
    return limits;
  }

  private static int clamp(int limit) {
    return Math.max(MIN, Math.min(MAX, limit));
  }
}
