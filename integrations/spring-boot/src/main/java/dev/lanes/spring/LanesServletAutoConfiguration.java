package dev.lanes.spring;

import dev.lanes.registry.LaneRegistry;
import dev.lanes.servlet.LaneFilter;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.util.pattern.PathPattern;

/**
 * A {@link LaneFilter} in front of a servlet application, when {@code lanes.servlet.enabled} is
 * true: each request takes a permit of the lane its path routes to, waits off-thread when none is
 * free, and is refused with 503 and {@code Retry-After} when the lane cannot take it. Mapped to
 * every path, async supported, for REQUEST and ASYNC dispatches. Backs off when the application
 * defines its own {@code LaneFilter} or {@code FilterRegistrationBean<LaneFilter>}.
 *
 * <pre>{@code
 * lanes:
 *   servlet:
 *     enabled: true
 *     lane: http
 *     routes:
 *       - { pattern: "/reports/**", lane: reports }
 *     bypass: ["/actuator/health/**"]
 * }</pre>
 */
@AutoConfiguration(after = LanesAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, LaneFilter.class, PathPattern.class})
@ConditionalOnBean(LaneRegistry.class)
@ConditionalOnBooleanProperty("lanes.servlet.enabled")
@EnableConfigurationProperties(LanesProperties.class)
public class LanesServletAutoConfiguration {

  /** The filter of the {@code lanes.servlet.*} properties. */
  @Bean
  @ConditionalOnMissingBean(value = LaneFilter.class, parameterizedContainer = FilterRegistrationBean.class)
  public FilterRegistrationBean<LaneFilter> laneFilter(LaneRegistry laneRegistry,
      LanesProperties properties) {
    LanesProperties.Servlet servlet = properties.getServlet();
    FilterRegistrationBean<LaneFilter> registration =
        new FilterRegistrationBean<>(RequestRoutes.filter(servlet, laneRegistry));
    registration.setName("laneFilter");
    registration.setAsyncSupported(true);
    registration.setDispatcherTypes(LaneFilter.dispatcherTypes());
    registration.setOrder(servlet.getOrder());
    return registration;
  }
}
