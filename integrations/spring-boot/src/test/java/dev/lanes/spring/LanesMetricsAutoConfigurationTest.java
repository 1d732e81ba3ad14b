package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.micrometer.LaneMetrics;
import dev.lanes.registry.LaneRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The lanes' meters, bound when the application has a meter registry. */
class LanesMetricsAutoConfigurationTest {

  private final ApplicationContextRunner withMetrics = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
          LanesMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
          SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
      .withPropertyValues("lanes.lanes.payments-api.limits.min=2",
          "lanes.lanes.payments-api.limits.initial=10", "lanes.lanes.payments-api.limits.max=50");

  @Test
  void everyLaneIsBoundToTheMeterRegistryLaterLanesToo() {
    withMetrics.run(context -> {
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      Gauge limit = meters.find("lanes.limit").tag("lane", "payments-api").gauge();
      assertThat(limit).isNotNull();
      assertThat(limit.value()).isEqualTo(10.0);
      context.getBean(LaneRegistry.class).named("later").tryAcquire(dev.lanes.Priority.NORMAL);
      assertThat(meters.find("lanes.in.flight").tag("lane", "later").gauge().value())
          .isEqualTo(1.0);
    });
  }

  @Test
  void noMeterRegistryNoBinder() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
            LanesMetricsAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasSingleBean(LaneRegistry.class);
          assertThat(context).doesNotHaveBean(LaneMetrics.class);
        });
  }

  @Test
  void aMeterRegistryOfTheApplicationsOwnGetsTheMeters() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
            LanesMetricsAutoConfiguration.class, MetricsAutoConfiguration.class))
        .withUserConfiguration(OwnMeterRegistry.class)
        .withPropertyValues("lanes.lanes.api.max-wait=1s")
        .run(context -> {
          assertThat(context).hasSingleBean(LaneMetrics.class);
          assertThat(context.getBean(MeterRegistry.class).find("lanes.limit").tag("lane", "api")
              .gauge()).isNotNull();
        });
  }

  @Test
  void noMicrometerOnTheClassPathNoBinder() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
            LanesMetricsAutoConfiguration.class))
        .withUserConfiguration(OwnMeterRegistry.class)
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> {
          assertThat(context).hasSingleBean(LaneRegistry.class);
          assertThat(context).doesNotHaveBean(LaneMetrics.class);
        });
  }

  @Test
  void switchedOffByProperty() {
    withMetrics.withPropertyValues("lanes.metrics.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(LaneMetrics.class);
      assertThat(context.getBean(MeterRegistry.class).find("lanes.limit").gauge()).isNull();
    });
  }

  @Test
  void aBinderOfTheApplicationsOwnWins() {
    withMetrics.withUserConfiguration(OwnBinder.class).run(context -> {
      assertThat(context).hasSingleBean(LaneMetrics.class);
      assertThat(context).hasBean("myLaneMetrics");
      assertThat(context.getBean(MeterRegistry.class).find("lanes.limit")
          .tag("service", "shop").gauge()).isNotNull();
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnMeterRegistry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBinder {
    @Bean
    LaneMetrics myLaneMetrics(LaneRegistry lanes) {
      return LaneMetrics.of(lanes).tags(io.micrometer.core.instrument.Tags.of("service", "shop"));
    }
  }
}
