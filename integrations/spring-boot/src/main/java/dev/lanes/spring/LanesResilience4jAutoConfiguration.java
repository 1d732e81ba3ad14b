package dev.lanes.spring;

import dev.lanes.registry.LaneRegistry;
import dev.lanes.resilience4j.LaneBulkheadRegistry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.core.registry.RegistryEventConsumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Resilience4j's {@link BulkheadRegistry} on lanes: {@code bulkheadRegistry.bulkhead("payments-api")}
 * is a bulkhead on the lane named {@code payments-api}, whose settings come from
 * {@code lanes.lanes.payments-api}. Ordered before Resilience4j's own Spring Boot
 * auto-configuration, whose registry backs off for this one, so {@code @Bulkhead(name = ...)}
 * runs on lanes wherever Resilience4j's aspect runs. Backs off when the application defines its
 * own {@code BulkheadRegistry}; {@code lanes.resilience4j.enabled=false} turns it off.
 *
 * <pre>{@code
 * @Service
 * class Payments {
 *   private final Bulkhead bulkhead;
 *   Payments(BulkheadRegistry bulkheads) { this.bulkhead = bulkheads.bulkhead("payments-api"); }
 *
 *   Receipt charge(Order order) {
 *     return bulkhead.executeSupplier(() -> client.charge(order));
 *   }
 * }
 * }</pre>
 */
@AutoConfiguration(after = LanesAutoConfiguration.class,
    beforeName = "io.github.resilience4j.springboot3.bulkhead.autoconfigure.BulkheadAutoConfiguration")
@ConditionalOnClass({BulkheadRegistry.class, LaneBulkheadRegistry.class})
@ConditionalOnBean(LaneRegistry.class)
@ConditionalOnBooleanProperty(name = "lanes.resilience4j.enabled", matchIfMissing = true)
public class LanesResilience4jAutoConfiguration {

  /**
   * Bulkheads on the registry's lanes. A {@link RegistryEventConsumer} bean, if there is exactly
   * one (or one primary), hears of each bulkhead created, as it would from Resilience4j's own
   * registry; that is how Resilience4j's Micrometer publisher follows the bulkheads.
   */
  @Bean
  @ConditionalOnMissingBean(BulkheadRegistry.class)
  public LaneBulkheadRegistry bulkheadRegistry(LaneRegistry laneRegistry,
      ObjectProvider<RegistryEventConsumer<Bulkhead>> registryEventConsumer) {
    LaneBulkheadRegistry registry = LaneBulkheadRegistry.of(laneRegistry);
    registryEventConsumer.ifUnique(consumer -> {
      registry.getEventPublisher().onEntryAdded(consumer::onEntryAddedEvent);
      registry.getEventPublisher().onEntryRemoved(consumer::onEntryRemovedEvent);
      registry.getEventPublisher().onEntryReplaced(consumer::onEntryReplacedEvent);
    });
    return registry;
  }
}
