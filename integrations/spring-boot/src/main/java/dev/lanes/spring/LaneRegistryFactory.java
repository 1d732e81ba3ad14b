package dev.lanes.spring;

import dev.lanes.LaneBuilder;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.spring.LanesProperties.Defaults;
import dev.lanes.spring.LanesProperties.LaneSettings;
import dev.lanes.spring.LanesProperties.Limits;
import java.time.Duration;
import java.util.Map;

/**
 * Builds a {@link LaneRegistry} from {@link LanesProperties}: checks every value first, so a bad
 * one fails start-up naming its property, then creates the lanes configured by name.
 */
final class LaneRegistryFactory {

  private final Defaults defaults;
  private final Map<String, LaneSettings> lanes;

  private LaneRegistryFactory(LanesProperties properties) {
    this.defaults = properties.getDefaults();
    this.lanes = Map.copyOf(properties.getLanes());
  }

  /**
   * A registry whose lanes start from {@code lanes.defaults}, with every lane of
   * {@code lanes.lanes} already created.
   *
   * @throws InvalidLanesPropertyException naming the property, if a value cannot work
   */
  static LaneRegistry create(LanesProperties properties) {
    check("lanes.defaults", properties.getDefaults(), null);
    properties.getLanes().forEach((name, settings) -> check(laneProperty(name), settings, settings));
    LaneRegistryFactory factory = new LaneRegistryFactory(properties);
    LaneRegistry registry = LaneRegistry.builder().customize(factory::configure).build();
    try {
      factory.lanes.keySet().forEach(name -> factory.create(registry, name));
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /** The property prefix of lane {@code name}, in the form Spring Boot binds map keys from. */
  static String laneProperty(String name) {
    return name.matches("[a-z0-9-]+") ? "lanes.lanes." + name : "lanes.lanes.[" + name + "]";
  }

  private void create(LaneRegistry registry, String name) {
    try {
      registry.named(name);
    } catch (IllegalArgumentException e) {
      // The checks above cover each value alone; this is a combination the lane refuses.
      throw new InvalidLanesPropertyException(laneProperty(name), name, e.getMessage(), e);
    }
  }

  private void configure(LaneBuilder builder) {
    apply(defaults, builder);
    // Any lane of that name the registry makes, at start-up or later, and disk lanes too
    // ("disk:<device>").
    LaneSettings settings = lanes.get(builder.name());
    if (settings != null) {
      apply(settings, builder);
      Limits limits = settings.getLimits();
      if (limits != null) {
        builder.limits(limits.getMin(), limits.getInitial(), limits.getMax());
      }
      if (settings.getBackgroundReserve() != null) {
        builder.backgroundReserve(settings.getBackgroundReserve());
      }
      if (settings.getCriticalCeiling() != null) {
        builder.criticalCeiling(settings.getCriticalCeiling());
      }
    }
  }

  private static void apply(Defaults settings, LaneBuilder builder) {
    if (settings.getAlgorithm() != null) {
      builder.algorithm(settings.getAlgorithm());
    }
    if (settings.getMaxWait() != null) {
      builder.maxWait(settings.getMaxWait());
    }
    if (settings.getMaxQueued() != null) {
      builder.maxQueued(settings.getMaxQueued());
    }
    if (settings.getQueueOrder() != null) {
      builder.queueOrder(settings.getQueueOrder());
    }
  }

  /** Checks the values under {@code prefix}; {@code lane} is null for the defaults. */
  private static void check(String prefix, Defaults settings, LaneSettings lane) {
    if (settings == null) {
      return;
    }
    String algorithm = settings.getAlgorithm();
    if (algorithm != null && LimitAlgorithms.provider(algorithm).isEmpty()) {
      throw new InvalidLanesPropertyException(prefix + ".algorithm", algorithm,
          "no limit algorithm of that name is on the class path; known: "
              + LimitAlgorithms.names());
    }
    Duration maxWait = settings.getMaxWait();
    if (maxWait != null && maxWait.isNegative()) {
      throw new InvalidLanesPropertyException(prefix + ".max-wait", maxWait,
          "a wait must not be negative");
    }
    Integer maxQueued = settings.getMaxQueued();
    if (maxQueued != null && maxQueued < 0) {
      throw new InvalidLanesPropertyException(prefix + ".max-queued", maxQueued,
          "must be at least 0 (0: nobody waits)");
    }
    if (lane == null) {
      return;
    }
    Integer max = null;
    Limits limits = lane.getLimits();
    if (limits != null) {
      String at = prefix + ".limits";
      requireGiven(at + ".min", limits.getMin());
      requireGiven(at + ".initial", limits.getInitial());
      requireGiven(at + ".max", limits.getMax());
      int min = limits.getMin();
      max = limits.getMax();
      if (min < 1) {
        throw new InvalidLanesPropertyException(at + ".min", min, "a limit must be at least 1");
      }
      if (max < min) {
        throw new InvalidLanesPropertyException(at + ".max", max,
            "must be at least min (" + min + ")");
      }
      int initial = limits.getInitial();
      if (initial < min || initial > max) {
        throw new InvalidLanesPropertyException(at + ".initial", initial,
            "must be within [min, max] = [" + min + ", " + max + "]");
      }
    }
    Integer reserve = lane.getBackgroundReserve();
    if (reserve != null && (reserve < 0 || (max != null && reserve >= max))) {
      throw new InvalidLanesPropertyException(prefix + ".background-reserve", reserve,
          "must be at least 0 and below the lane's max limit"
              + (max == null ? "" : " (" + max + ")"));
    }
    Integer ceiling = lane.getCriticalCeiling();
    if (ceiling != null && (ceiling < 1 || (max != null && ceiling < max))) {
      throw new InvalidLanesPropertyException(prefix + ".critical-ceiling", ceiling,
          "must be at least the lane's max limit" + (max == null ? "" : " (" + max + ")"));
    }
  }

  private static void requireGiven(String property, Integer value) {
    if (value == null) {
      throw new InvalidLanesPropertyException(property, null,
          "give min, initial and max together");
    }
  }
}
