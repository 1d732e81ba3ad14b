package dev.lanes.sim;

import java.util.SplittableRandom;

/**
 * How long a device takes to serve one request when nothing else is in its way.
 *
 * <pre>{@code
 * ServiceTime disk = ServiceTime.logNormal(0.005, 0.5);   // 5 ms mean, moderate spread
 * ServiceTime tail = ServiceTime.pareto(0.005, 1.5);      // 5 ms mean, heavy tail
 * }</pre>
 */
public interface ServiceTime {

  /** Draws one service time, in nanoseconds. */
  long sample(SplittableRandom random);

  /** The mean, in seconds: what the device's capacity is computed from. */
  double meanSeconds();

  /** Every request takes exactly {@code seconds}. */
  static ServiceTime constant(double seconds) {
    return new ServiceTime() {
      @Override
      public long sample(SplittableRandom random) {
        return Simulation.seconds(seconds);
      }

      @Override
      public double meanSeconds() {
        return seconds;
      }

      @Override
      public String toString() {
        return "constant " + seconds * 1e3 + " ms";
      }
    };
  }

  /** Log-normal with the given mean and shape {@code sigma} (the spread of its logarithm). */
  static ServiceTime logNormal(double meanSeconds, double sigma) {
    double mu = Math.log(meanSeconds) - sigma * sigma / 2;
    return new ServiceTime() {
      @Override
      public long sample(SplittableRandom random) {
        return Simulation.seconds(Math.exp(mu + sigma * random.nextGaussian()));
      }

      @Override
      public double meanSeconds() {
        return meanSeconds;
      }

      @Override
      public String toString() {
        return "log-normal mean " + meanSeconds * 1e3 + " ms, sigma " + sigma;
      }
    };
  }

  /** Pareto with the given mean and tail index {@code alpha} (> 1; 1.5 has infinite variance). */
  static ServiceTime pareto(double meanSeconds, double alpha) {
    if (!(alpha > 1)) {
      throw new IllegalArgumentException("alpha must be above 1 for a finite mean, was " + alpha);
    }
    double scale = meanSeconds * (alpha - 1) / alpha;
    return new ServiceTime() {
      @Override
      public long sample(SplittableRandom random) {
        return Simulation.seconds(scale / Math.pow(1 - random.nextDouble(), 1 / alpha));
      }

      @Override
      public double meanSeconds() {
        return meanSeconds;
      }

      @Override
      public String toString() {
        return "Pareto mean " + meanSeconds * 1e3 + " ms, alpha " + alpha;
      }
    };
  }

  /** This distribution with every draw multiplied by {@code factor}. */
  default ServiceTime times(double factor) {
    ServiceTime base = this;
    return new ServiceTime() {
      @Override
      public long sample(SplittableRandom random) {
        return (long) (base.sample(random) * factor);
      }

      @Override
      public double meanSeconds() {
        return base.meanSeconds() * factor;
      }

      @Override
      public String toString() {
        return base + " x " + factor;
      }
    };
  }
}
