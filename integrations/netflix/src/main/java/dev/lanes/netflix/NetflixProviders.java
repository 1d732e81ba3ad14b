package dev.lanes.netflix;

import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithmProvider;

/**
 * Registers Netflix's limits, with Netflix's defaults, under names lanes can ask for.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("api").algorithm("netflix-gradient2").build();
 * }</pre>
 */
public final class NetflixProviders {

  private NetflixProviders() {}

  /** {@code "netflix-gradient2"}: {@code Gradient2Limit.newDefault()}. */
  public static final class Gradient2 implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "netflix-gradient2";
    }

    @Override
    public LimitAlgorithm create() {
      return NetflixLimits.asAlgorithm(Gradient2Limit.newDefault());
    }
  }

  /** {@code "netflix-vegas"}: {@code VegasLimit.newDefault()}. */
  public static final class Vegas implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "netflix-vegas";
    }

    @Override
    public LimitAlgorithm create() {
      return NetflixLimits.asAlgorithm(VegasLimit.newDefault());
    }
  }

  /** {@code "netflix-aimd"}: {@code AIMDLimit.newBuilder().build()}. */
  public static final class Aimd implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "netflix-aimd";
    }

    @Override
    public LimitAlgorithm create() {
      return NetflixLimits.asAlgorithm(AIMDLimit.newBuilder().build());
    }
  }
}
