package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.spring.LanesEndpoint.LaneDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The lanes endpoint and health indicator: when they exist, and what they say. */
class LanesActuatorAutoConfigurationTest {

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
          LanesActuatorAutoConfiguration.class, EndpointAutoConfiguration.class))
      .withPropertyValues("management.endpoints.web.exposure.include=lanes",
          "lanes.lanes.payments-api.algorithm=fixed",
          "lanes.lanes.payments-api.limits.min=1",
          "lanes.lanes.payments-api.limits.initial=2",
          "lanes.lanes.payments-api.limits.max=4");

  @Test
  void theEndpointListsEveryLaneWithItsFiguresPerPriority(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    runner.run(context -> {
      LaneRegistry registry = context.getBean(LaneRegistry.class);
      Lane payments = registry.named("payments-api");
      payments.call(Priority.NORMAL, () -> "done");
      Permit one = payments.tryAcquire(Priority.NORMAL).orElseThrow();
      Permit two = payments.tryAcquire(Priority.CRITICAL).orElseThrow();
      CompletableFuture<Permit> waiting =
          payments.acquireAsync(Priority.BACKGROUND, Duration.ofMinutes(1));
      String disk = registry.forPath(file).name();

      LanesEndpoint endpoint = context.getBean(LanesEndpoint.class);
      assertThat(endpoint.lanes().lanes()).containsOnlyKeys("payments-api", disk);
      LaneDescriptor lane = endpoint.lane("payments-api");
      assertThat(lane.limit()).isEqualTo(2);
      assertThat(lane.minLimit()).isEqualTo(1);
      assertThat(lane.maxLimit()).isEqualTo(4);
      assertThat(lane.inFlight()).isEqualTo(2);
      assertThat(lane.waiting()).isEqualTo(1);
      assertThat(lane.queueOrder()).isEqualTo("adaptive");
      assertThat(lane.closed()).isFalse();
      assertThat(lane.device()).isNull();
      assertThat(lane.priorities()).containsOnlyKeys("critical", "normal", "background");
      assertThat(lane.priorities().get("background").waiting()).isEqualTo(1);
      assertThat(lane.priorities().get("normal").admitted()).isEqualTo(2);
      assertThat(lane.priorities().get("normal").p99MsSinceStart()).isNotNull().isPositive();
      assertThat(lane.priorities().get("background").p99MsSinceStart()).isNull();

      LaneDescriptor diskLane = endpoint.lane(disk);
      assertThat(diskLane.device()).isNotNull();
      assertThat(diskLane.device().deviceClass()).isNotBlank();
      assertThat(diskLane.device().key()).isEqualTo(disk.substring("disk:".length()));
      assertThat(endpoint.lane("nope")).isNull();

      two.close();
      one.close();
      waiting.join().close();
    });
  }

  @Test
  void healthIsUpUnderLoadAndOutOfServiceOnlyWhenALaneIsClosed() {
    runner.run(context -> {
      HealthIndicator health = context.getBean("lanesHealthIndicator", HealthIndicator.class);
      Lane payments = context.getBean(LaneRegistry.class).named("payments-api");
      Permit a = payments.tryAcquire(Priority.NORMAL).orElseThrow();
      Permit b = payments.tryAcquire(Priority.NORMAL).orElseThrow();
      assertThat(payments.tryAcquire(Priority.NORMAL)).isEmpty(); // full, and refusing
      Health loaded = health.health();
      assertThat(loaded.getStatus()).isEqualTo(Status.UP);
      assertThat(loaded.getDetails()).containsEntry("lanes", 1);

      payments.close();
      Health closed = health.health();
      assertThat(closed.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(closed.getDetails()).containsEntry("closed", java.util.List.of("payments-api"));
      a.close();
      b.close();
    });
  }

  @Test
  void theEndpointOnlyWhenExposedTheHealthIndicatorUnlessDisabled() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=health",
            "management.health.lanes.enabled=false")
        .run(context -> {
          assertThat(context).hasSingleBean(LaneRegistry.class);
          assertThat(context).doesNotHaveBean(LanesEndpoint.class);
          assertThat(context).doesNotHaveBean(LanesHealthIndicator.class);
        });
    runner.withPropertyValues("management.endpoint.lanes.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(LanesEndpoint.class));
  }

  @Test
  void withoutActuatorOrHealthOnTheClassPath() {
    runner.withClassLoader(new FilteredClassLoader(Endpoint.class)).run(context -> {
      assertThat(context).doesNotHaveBean(LanesEndpoint.class);
      assertThat(context).hasSingleBean(LanesHealthIndicator.class);
    });
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context -> {
      assertThat(context).hasSingleBean(LanesEndpoint.class);
      assertThat(context).doesNotHaveBean(LanesHealthIndicator.class);
    });
  }

  @Test
  void beansOfTheApplicationsOwnWin() {
    runner.withUserConfiguration(Own.class).run(context -> {
      assertThat(context).hasSingleBean(LanesEndpoint.class);
      assertThat(context).hasBean("myLanesEndpoint");
      assertThat(context).doesNotHaveBean(LanesHealthIndicator.class);
      assertThat(context.getBean("lanesHealthIndicator", HealthIndicator.class).health()
          .getStatus()).isEqualTo(Status.UNKNOWN);
    });
  }

  @Test
  void nothingWithoutARegistry() {
    runner.withPropertyValues("lanes.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(LanesEndpoint.class);
      assertThat(context).doesNotHaveBean(LanesHealthIndicator.class);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class Own {
    @Bean
    LanesEndpoint myLanesEndpoint(LaneRegistry lanes) {
      return new LanesEndpoint(lanes);
    }

    @Bean
    HealthIndicator lanesHealthIndicator() {
      return () -> Health.unknown().build();
    }
  }
}
