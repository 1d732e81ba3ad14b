package dev.lanes.spring;

import dev.lanes.Lane;
import dev.lanes.registry.LaneRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the lanes: {@code OUT_OF_SERVICE} when a lane is closed (the registry is shutting
 * down, or someone closed the lane), {@code UP} otherwise. Load never makes it {@code DOWN}: a
 * full lane that refuses calls is a lane doing its job, and restarting the instance would only
 * move the load elsewhere.
 *
 * <pre>{@code
 * {"status": "UP", "details": {"lanes": 3, "closed": []}}
 * }</pre>
 */
public class LanesHealthIndicator implements HealthIndicator {

  private final LaneRegistry registry;

  public LanesHealthIndicator(LaneRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public Health health() {
    List<Lane> lanes = List.copyOf(registry.lanes());
    List<String> closed = lanes.stream()
        .filter(Lane::isClosed)
        .map(Lane::name)
        .sorted(Comparator.naturalOrder())
        .toList();
    Health.Builder health = closed.isEmpty() ? Health.up() : Health.outOfService();
    return health.withDetail("lanes", lanes.size()).withDetail("closed", closed).build();
  }
}
