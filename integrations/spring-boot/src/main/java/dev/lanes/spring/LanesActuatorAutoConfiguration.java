package dev.lanes.spring;

import dev.lanes.registry.LaneRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The lanes in Actuator: the {@code lanes} endpoint ({@link LanesEndpoint}), when it is enabled
 * and exposed ({@code management.endpoints.web.exposure.include=lanes}), and the {@code lanes}
 * health indicator ({@link LanesHealthIndicator}), unless
 * {@code management.health.lanes.enabled=false}. Each backs off when the application defines its
 * own.
 *
 * <pre>{@code
 * management:
 *   endpoints.web.exposure.include: health, lanes, prometheus
 * }</pre>
 */
@AutoConfiguration(after = LanesAutoConfiguration.class)
@ConditionalOnBean(LaneRegistry.class)
public class LanesActuatorAutoConfiguration {

  /** The {@code lanes} endpoint; needs {@code spring-boot-actuator}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  @ConditionalOnAvailableEndpoint(LanesEndpoint.class)
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LanesEndpoint lanesEndpoint(LaneRegistry laneRegistry) {
      return new LanesEndpoint(laneRegistry);
    }
  }

  /** The {@code lanes} health indicator; needs {@code spring-boot-health}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  @ConditionalOnEnabledHealthIndicator("lanes")
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "lanesHealthIndicator")
    LanesHealthIndicator lanesHealthIndicator(LaneRegistry laneRegistry) {
      return new LanesHealthIndicator(laneRegistry);
    }
  }
}
