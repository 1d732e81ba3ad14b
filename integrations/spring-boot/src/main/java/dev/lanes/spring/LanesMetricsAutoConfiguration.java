package dev.lanes.spring;

import dev.lanes.micrometer.LaneMetrics;
import dev.lanes.registry.LaneRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Every lane of the registry as Micrometer meters ({@code lanes.limit}, {@code lanes.in.flight},
 * {@code lanes.waiting}, ...), lanes created later included, when the application has a
 * {@link MeterRegistry}. The {@link LaneMetrics} bean is a {@code MeterBinder}, so Spring Boot
 * binds it to the application's meter registry. Backs off when the application defines its own
 * {@code LaneMetrics}; {@code lanes.metrics.enabled=false} turns it off.
 *
 * <pre>{@code
 * // /actuator/prometheus then shows, for instance:
 * // lanes_limit{lane="payments-api"} 10.0
 * }</pre>
 */
@AutoConfiguration(after = LanesAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, LaneMetrics.class})
@ConditionalOnBean({LaneRegistry.class, MeterRegistry.class})
@ConditionalOnBooleanProperty(name = "lanes.metrics.enabled", matchIfMissing = true)
public class LanesMetricsAutoConfiguration {

  /** The registry's lanes, bound to the application's meter registry by Spring Boot. */
  @Bean
  @ConditionalOnMissingBean
  public LaneMetrics laneMetrics(LaneRegistry laneRegistry) {
    return LaneMetrics.of(laneRegistry);
  }
}
