package dev.lanes.resilience4j;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.registry.LaneRegistry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.core.ConfigurationNotFoundException;
import io.github.resilience4j.core.registry.AbstractRegistry;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A Resilience4j {@link BulkheadRegistry} whose bulkheads are {@link LaneBulkhead}s on the lanes of
 * a {@link LaneRegistry}: {@code bulkhead("payments")} is a {@code NORMAL} bulkhead on
 * {@code lanes.named("payments")}. Everything that reads a {@code BulkheadRegistry} works with it:
 * {@code TaggedBulkheadMetrics}, registry events, Spring Boot's {@code @Bulkhead} aspect.
 *
 * <pre>{@code
 * LaneRegistry lanes = LaneRegistry.create();
 * LaneBulkheadRegistry bulkheads = LaneBulkheadRegistry.of(lanes);
 * TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meterRegistry);
 *
 * Bulkhead payments = bulkheads.bulkhead("payments");           // lanes.named("payments")
 * Bulkhead scan = bulkheads.bulkhead("disk-scan",                 // a BACKGROUND bulkhead
 *     lanes.forPath(Path.of("/data")), Priority.BACKGROUND);     // on a disk's lane
 * }</pre>
 *
 * <p>It behaves as Resilience4j's {@code InMemoryBulkheadRegistry} does: each name is created
 * once, on first use, and fires {@code onEntryAdded}; {@link #remove} and {@link #replace} fire
 * {@code onEntryRemoved} and {@code onEntryReplaced}; the registry's tags are added to every
 * bulkhead it creates. A removed bulkhead's lane stays in the lane registry, and a later
 * {@code bulkhead(name)} makes a new bulkhead on it.
 *
 * <p>A lane's settings (its bounds, its wait) come from the lane registry. A
 * {@link BulkheadConfig} overrides them only when one is given: {@code bulkhead(name, config)},
 * {@code bulkhead(name, configName)}, or a later {@link Bulkhead#changeConfig}. Its
 * {@code maxWaitDuration} is then the bulkhead's wait, and its {@code maxConcurrentCalls} the lane's
 * max limit; see {@link LaneBulkhead}. {@code bulkhead(name)} applies no config, so the adaptive
 * limit keeps the lane's full range. {@link #getDefaultConfig()} returns Resilience4j's defaults
 * only because a registry must have one; it applies when asked for by name, like any other.
 */
public final class LaneBulkheadRegistry extends AbstractRegistry<Bulkhead, BulkheadConfig>
    implements BulkheadRegistry {

  private final LaneRegistry lanes;

  private LaneBulkheadRegistry(LaneRegistry lanes, Map<String, String> tags) {
    super(BulkheadConfig.ofDefaults(), tags);
    this.lanes = Objects.requireNonNull(lanes, "lanes");
  }

  /** A registry of bulkheads on the named lanes of {@code lanes}. */
  public static LaneBulkheadRegistry of(LaneRegistry lanes) {
    return new LaneBulkheadRegistry(lanes, Map.of());
  }

  /** A registry of bulkheads on the named lanes of {@code lanes}, each tagged with {@code tags}. */
  public static LaneBulkheadRegistry of(LaneRegistry lanes, Map<String, String> tags) {
    return new LaneBulkheadRegistry(lanes, Map.copyOf(Objects.requireNonNull(tags, "tags")));
  }

  /** The lanes this registry's bulkheads run in. */
  public LaneRegistry lanes() {
    return lanes;
  }

  /**
   * The bulkhead called {@code name}; on first use, a bulkhead on {@code lane} at
   * {@code priority}. This is how a registry gets a {@code BACKGROUND} or {@code CRITICAL}
   * bulkhead, or one on a device's lane, before {@code @Bulkhead(name = ...)} asks for it.
   */
  public Bulkhead bulkhead(String name, Lane lane, Priority priority) {
    Objects.requireNonNull(lane, "lane");
    Objects.requireNonNull(priority, "priority");
    return computeIfAbsent(name, () -> new LaneBulkhead(name, lane, priority, getAllTags(Map.of())));
  }

  @Override
  public Set<Bulkhead> getAllBulkheads() {
    return new HashSet<>(entryMap.values());
  }

  /** The bulkhead called {@code name}; on first use, a {@code NORMAL} one on its named lane. */
  @Override
  public Bulkhead bulkhead(String name) {
    return bulkhead(name, Map.of());
  }

  @Override
  public Bulkhead bulkhead(String name, Map<String, String> tags) {
    Objects.requireNonNull(tags, TAGS_MUST_NOT_BE_NULL);
    return computeIfAbsent(name, () -> onNamedLane(name, tags));
  }

  /** As {@link #bulkhead(String)}, and a new bulkhead takes {@code config} (see the class). */
  @Override
  public Bulkhead bulkhead(String name, BulkheadConfig config) {
    return bulkhead(name, config, Map.of());
  }

  @Override
  public Bulkhead bulkhead(String name, BulkheadConfig config, Map<String, String> tags) {
    Objects.requireNonNull(config, CONFIG_MUST_NOT_BE_NULL);
    Objects.requireNonNull(tags, TAGS_MUST_NOT_BE_NULL);
    return computeIfAbsent(name, () -> configured(onNamedLane(name, tags), config));
  }

  @Override
  public Bulkhead bulkhead(String name, Supplier<BulkheadConfig> configSupplier) {
    return bulkhead(name, configSupplier, Map.of());
  }

  @Override
  public Bulkhead bulkhead(String name, Supplier<BulkheadConfig> configSupplier,
      Map<String, String> tags) {
    Objects.requireNonNull(configSupplier, SUPPLIER_MUST_NOT_BE_NULL);
    Objects.requireNonNull(tags, TAGS_MUST_NOT_BE_NULL);
    return computeIfAbsent(name, () -> configured(onNamedLane(name, tags),
        Objects.requireNonNull(configSupplier.get(), CONFIG_MUST_NOT_BE_NULL)));
  }

  /**
   * As {@link #bulkhead(String, BulkheadConfig)} with the configuration registered as
   * {@code configName}.
   *
   * @throws ConfigurationNotFoundException if there is none
   */
  @Override
  public Bulkhead bulkhead(String name, String configName) {
    return bulkhead(name, configName, Map.of());
  }

  @Override
  public Bulkhead bulkhead(String name, String configName, Map<String, String> tags) {
    Objects.requireNonNull(tags, TAGS_MUST_NOT_BE_NULL);
    return computeIfAbsent(name, () -> configured(onNamedLane(name, tags),
        getConfiguration(configName)
            .orElseThrow(() -> new ConfigurationNotFoundException(configName))));
  }

  @Override
  public String toString() {
    return "LaneBulkheadRegistry" + entryMap.values();
  }

  private LaneBulkhead onNamedLane(String name, Map<String, String> tags) {
    return new LaneBulkhead(name, lanes.named(name), Priority.NORMAL, getAllTags(tags));
  }

  private static LaneBulkhead configured(LaneBulkhead bulkhead, BulkheadConfig config) {
    bulkhead.changeConfig(config);
    return bulkhead;
  }
}
