package dev.lanes.sim;

import dev.lanes.Priority;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Where requests come from. A load issues requests through {@link Traffic}, which takes them
 * through the contender's admission and the device.
 *
 * <pre>{@code
 * Load requests = Load.poisson(Priority.NORMAL, t -> t < 30 ? 1_000 : 2_000);  // per second
 * Load scan = Load.closedLoop(Priority.BACKGROUND, 64, 0);                     // 64 workers
 * }</pre>
 */
public interface Load {

  /** Starts issuing requests; runs until the simulation stops. */
  void start(Traffic traffic);

  /** Open-loop Poisson arrivals at {@code ratePerSecond(t)}, t in seconds from the start. */
  static Load poisson(Priority priority, DoubleUnaryOperator ratePerSecond) {
    return traffic -> {
      SplittableRandom random = traffic.sim().newRandom();
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        double rate = ratePerSecond.applyAsDouble(traffic.sim().now() / 1e9);
        if (rate <= 0) {
          // Nothing arrives now; look again in 10 ms, when the rate may have changed.
          traffic.sim().after(Simulation.seconds(0.01), next[0]);
          return;
        }
        traffic.issue(priority, () -> {});
        traffic.sim().after(exponential(random, rate), next[0]);
      };
      traffic.sim().after(exponential(random,
          Math.max(1e-9, ratePerSecond.applyAsDouble(0))), next[0]);
    };
  }

  /** Open-loop Poisson at a constant rate. */
  static Load poisson(Priority priority, double ratePerSecond) {
    return poisson(priority, t -> ratePerSecond);
  }

  /**
   * On/off bursts: Poisson at {@code ratePerSecond} for {@code onSeconds}, then nothing for
   * {@code offSeconds}, over and over.
   */
  static Load onOff(Priority priority, double ratePerSecond, double onSeconds, double offSeconds) {
    double period = onSeconds + offSeconds;
    return poisson(priority, t -> (t % period) < onSeconds ? ratePerSecond : 0);
  }

  /**
   * {@code clients} closed-loop clients: each issues a request, waits for its outcome, thinks for
   * an exponential time of mean {@code thinkSeconds} (0: none), and issues the next. A refused
   * client backs off for 10 ms before trying again.
   */
  static Load closedLoop(Priority priority, int clients, double thinkSeconds) {
    return traffic -> {
      SplittableRandom random = traffic.sim().newRandom();
      for (int c = 0; c < clients; c++) {
        Runnable[] loop = new Runnable[1];
        loop[0] = () -> traffic.issue(priority, outcome -> {
          long pause = outcome == Traffic.Outcome.REFUSED ? Simulation.seconds(0.01)
              : thinkSeconds > 0 ? exponential(random, 1 / thinkSeconds) : 0;
          traffic.sim().after(pause, loop[0]);
        });
        traffic.sim().after(0, loop[0]);
      }
    };
  }

  private static long exponential(SplittableRandom random, double ratePerSecond) {
    return Simulation.seconds(-Math.log(1 - random.nextDouble()) / ratePerSecond);
  }
}
