package dev.lanes.sim;

import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

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
    long nanos = Simulation.seconds(seconds);
    return new Drawn("constant " + seconds * 1e3 + " ms", seconds, random -> nanos);
  }

  /** Log-normal with the given mean and shape {@code sigma} (the spread of its logarithm). */
  static ServiceTime logNormal(double meanSeconds, double sigma) {
    double mu = Math.log(meanSeconds) - sigma * sigma / 2;
    return new Drawn("log-normal mean " + meanSeconds * 1e3 + " ms, sigma " + sigma, meanSeconds,
        random -> Simulation.seconds(Math.exp(mu + sigma * random.nextGaussian())));
  }

  /** Pareto with the given mean and tail index {@code alpha} (> 1; 1.5 has infinite variance). */
  static ServiceTime pareto(double meanSeconds, double alpha) {
    if (!(alpha > 1)) {
      throw new IllegalArgumentException("alpha must be above 1 for a finite mean, was " + alpha);
    }
    double scale = meanSeconds * (alpha - 1) / alpha;
    return new Drawn("Pareto mean " + meanSeconds * 1e3 + " ms, alpha " + alpha, meanSeconds,
        random -> Simulation.seconds(scale / Math.pow(1 - random.nextDouble(), 1 / alpha)));
  }

  /** This distribution with every draw multiplied by {@code factor}. */
  default ServiceTime times(double factor) {
    ServiceTime base = this;
    return new Drawn(base + " x " + factor, base.meanSeconds() * factor,
        random -> (long) (base.sample(random) * factor));
  }

  /** A distribution given by a name, a mean and a way to draw from it. */
  final class Drawn implements ServiceTime {
    private final String name;
    private final double meanSeconds;
    private final ToLongFunction<SplittableRandom> draw;

    private Drawn(String name, double meanSeconds, ToLongFunction<SplittableRandom> draw) {
      this.name = name;
      this.meanSeconds = meanSeconds;
      this.draw = draw;
    }

    @Override
    public long sample(SplittableRandom random) {
      return draw.applyAsLong(random);
    }

    @Override
    public double meanSeconds() {
      return meanSeconds;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
