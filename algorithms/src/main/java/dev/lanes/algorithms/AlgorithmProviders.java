package dev.lanes.algorithms;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithmProvider;

/**
 * Registers this module's algorithms under their names, for {@code LaneBuilder.algorithm(String)}.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("disk").algorithm("vegas").build();
 * }</pre>
 */
public final class AlgorithmProviders {

  private AlgorithmProviders() {}

  /** {@code "gradient"}: {@link TailGradientLimit}, the default. */
  public static final class Gradient implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "gradient";
    }

    @Override
    public LimitAlgorithm create() {
      return TailGradientLimit.newDefault();
    }
  }

  /** {@code "aimd"}: {@link TailAimdLimit}. */
  public static final class Aimd implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "aimd";
    }

    @Override
    public LimitAlgorithm create() {
      return TailAimdLimit.newDefault();
    }
  }

  /** {@code "vegas"}: {@link TailVegasLimit}. */
  public static final class Vegas implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "vegas";
    }

    @Override
    public LimitAlgorithm create() {
      return TailVegasLimit.newDefault();
    }
  }

  /** {@code "fixed"}: {@link FixedLimit}, which keeps the lane's initial limit. */
  public static final class Fixed implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "fixed";
    }

    @Override
    public LimitAlgorithm create() {
      return new FixedLimit();
    }
  }
}
