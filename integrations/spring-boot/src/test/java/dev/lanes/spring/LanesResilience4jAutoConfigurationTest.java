package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.resilience4j.LaneBulkhead;
import dev.lanes.resilience4j.LaneBulkheadRegistry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.bulkhead.event.BulkheadEvent;
import io.github.resilience4j.consumer.EventConsumerRegistry;
import io.github.resilience4j.core.registry.EntryAddedEvent;
import io.github.resilience4j.core.registry.EntryRemovedEvent;
import io.github.resilience4j.core.registry.EntryReplacedEvent;
import io.github.resilience4j.core.registry.RegistryEventConsumer;
import io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration;
import io.github.resilience4j.springboot3.verifier.autoconfigure.SpringBoot3VerifierAutoConfiguration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Resilience4j's BulkheadRegistry on lanes, and how it sits beside Resilience4j's own starter. */
class LanesResilience4jAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class,
          LanesResilience4jAutoConfiguration.class))
      .withPropertyValues("lanes.lanes.payments-api.limits.min=2",
          "lanes.lanes.payments-api.limits.initial=10", "lanes.lanes.payments-api.limits.max=50");

  @Test
  void aBulkheadOfTheRegistryRunsOnTheLaneOfItsName() {
    runner.run(context -> {
      BulkheadRegistry bulkheads = context.getBean(BulkheadRegistry.class);
      assertThat(bulkheads).isInstanceOf(LaneBulkheadRegistry.class);
      Lane payments = context.getBean(LaneRegistry.class).named("payments-api");
      Bulkhead bulkhead = bulkheads.bulkhead("payments-api");
      assertThat(((LaneBulkhead) bulkhead).lane()).isSameAs(payments);
      assertThat(bulkhead.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(50);
      int inFlightDuringCall = bulkhead.executeSupplier(payments::inFlight);
      assertThat(inFlightDuringCall).isEqualTo(1);
      assertThat(payments.inFlight()).isZero();
    });
  }

  @Test
  void aRegistryEventConsumerHearsOfEveryBulkhead() {
    runner.withUserConfiguration(Listening.class).run(context -> {
      context.getBean(BulkheadRegistry.class).bulkhead("a");
      context.getBean(BulkheadRegistry.class).bulkhead("b");
      assertThat(Listening.ADDED).containsExactly("a", "b");
    });
  }

  @Test
  void noResilience4jOnTheClassPathNoRegistry() {
    runner.withClassLoader(new FilteredClassLoader(BulkheadRegistry.class)).run(context -> {
      assertThat(context).hasSingleBean(LaneRegistry.class);
      assertThat(context).doesNotHaveBean("bulkheadRegistry");
    });
  }

  @Test
  void aRegistryOfTheApplicationsOwnWins() {
    runner.withUserConfiguration(OwnRegistry.class).run(context -> {
      assertThat(context).hasSingleBean(BulkheadRegistry.class);
      assertThat(context.getBean(BulkheadRegistry.class))
          .isNotInstanceOf(LaneBulkheadRegistry.class);
    });
  }

  @Test
  void switchedOffByProperty() {
    runner.withPropertyValues("lanes.resilience4j.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BulkheadRegistry.class));
  }

  /**
   * Resilience4j 2.4.0's Spring Boot 3 starter refuses Spring Boot 4 at start-up. This is the
   * fact behind the README's advice; when it stops holding, the advice must change.
   */
  @Test
  void resilience4jsSpringBoot3StarterRefusesSpringBoot4() {
    runner.withConfiguration(AutoConfigurations.of(SpringBoot3VerifierAutoConfiguration.class,
            BulkheadAutoConfiguration.class))
        .run(context -> assertThat(context).getFailure()
            .hasStackTraceContaining("is only compatible with Spring Boot 3.x"));
  }

  /**
   * With its version check left out, Resilience4j's bulkhead auto-configuration runs on Boot 4;
   * its registry backs off for the lanes' one, so its {@code resilience4j.bulkhead.instances.*}
   * are not applied, and its event consumer registry (the bulkheadevents endpoint) hears nothing.
   */
  @Test
  void besideResilience4jsOwnConfigurationTheLanesRegistryWins() {
    runner.withConfiguration(AutoConfigurations.of(BulkheadAutoConfiguration.class))
        .withPropertyValues("resilience4j.bulkhead.instances.payments-api.max-concurrent-calls=3")
        .run(context -> {
          assertThat(context).hasSingleBean(BulkheadRegistry.class);
          BulkheadRegistry registry = context.getBean(BulkheadRegistry.class);
          assertThat(registry).isInstanceOf(LaneBulkheadRegistry.class);
          Bulkhead payments = registry.bulkhead("payments-api");
          assertThat(payments.getBulkheadConfig().getMaxConcurrentCalls()).isEqualTo(50);
          payments.executeRunnable(() -> { });
          @SuppressWarnings("unchecked")
          EventConsumerRegistry<BulkheadEvent> events =
              context.getBean("bulkheadEventConsumerRegistry", EventConsumerRegistry.class);
          assertThat(events.getAllEventConsumer()).isEmpty();
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistry {
    @Bean
    BulkheadRegistry myBulkheads() {
      return BulkheadRegistry.ofDefaults();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Listening {
    static final List<String> ADDED = new CopyOnWriteArrayList<>();

    @Bean
    RegistryEventConsumer<Bulkhead> listener() {
      ADDED.clear();
      return new RegistryEventConsumer<>() {
        @Override
        public void onEntryAddedEvent(EntryAddedEvent<Bulkhead> event) {
          ADDED.add(event.getAddedEntry().getName());
        }

        @Override
        public void onEntryRemovedEvent(EntryRemovedEvent<Bulkhead> event) {}

        @Override
        public void onEntryReplacedEvent(EntryReplacedEvent<Bulkhead> event) {}
      };
    }
  }
}
