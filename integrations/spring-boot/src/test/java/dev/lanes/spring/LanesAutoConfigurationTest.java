package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.io.FileLanes;
import dev.lanes.registry.LaneRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The registry from properties: binding, every lane setting applied, user beans, bad values. */
class LanesAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LanesAutoConfiguration.class));

  @Test
  void theIssuesYamlConfiguresTheLaneOfThatName() {
    runner.withPropertyValues(
            "lanes.defaults.algorithm=gradient",
            "lanes.defaults.max-wait=200ms",
            "lanes.lanes.payments-api.limits.min=2",
            "lanes.lanes.payments-api.limits.initial=10",
            "lanes.lanes.payments-api.limits.max=50",
            "lanes.lanes.payments-api.background-reserve=2",
            "lanes.lanes.payments-api.queue-order=lifo")
        .run(context -> {
          LaneRegistry registry = context.getBean(LaneRegistry.class);
          // Created at start-up, before anyone asked for it.
          assertThat(registry.lanes()).extracting(Lane::name).containsExactly("payments-api");
          Lane payments = registry.named("payments-api");
          assertThat(payments.minLimit()).isEqualTo(2);
          assertThat(payments.limit()).isEqualTo(10);
          assertThat(payments.maxLimit()).isEqualTo(50);
          assertThat(payments.backgroundReserve()).isEqualTo(2);
          assertThat(payments.maxWait()).isEqualTo(Duration.ofMillis(200));
          // A lane nobody configured gets the defaults only.
          Lane other = registry.named("other");
          assertThat(other.maxWait()).isEqualTo(Duration.ofMillis(200));
          assertThat(other.backgroundReserve()).isZero();
          assertThat(other.maxLimit()).isEqualTo(64);
        });
  }

  @Test
  void queueOrderLifoHandsAFreedPermitToTheNewestWaiter() {
    runner.withPropertyValues(
            "lanes.lanes.one.algorithm=fixed",
            "lanes.lanes.one.limits.min=1",
            "lanes.lanes.one.limits.initial=1",
            "lanes.lanes.one.limits.max=1",
            "lanes.lanes.one.queue-order=lifo")
        .run(context -> {
          Lane one = context.getBean(LaneRegistry.class).named("one");
          Permit held = one.tryAcquire(Priority.NORMAL).orElseThrow();
          CompletableFuture<Permit> older = one.acquireAsync(Priority.NORMAL, Duration.ofMinutes(1));
          CompletableFuture<Permit> newer = one.acquireAsync(Priority.NORMAL, Duration.ofMinutes(1));
          held.close();
          newer.get(30, TimeUnit.SECONDS).close();
          older.get(30, TimeUnit.SECONDS).close();
          assertThat(one.inFlight()).isZero();
        });
  }

  @Test
  void theRegistryAndItsLanesCloseWithTheContext() {
    AtomicReference<Lane> lane = new AtomicReference<>();
    runner.withPropertyValues("lanes.lanes.db.max-wait=1s").run(context ->
        lane.set(context.getBean(LaneRegistry.class).named("db")));
    assertThat(lane.get().isClosed()).isTrue();
  }

  @Test
  void fileLanesReadThroughTheRegistrysDeviceLanes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("page"), "hello");
    runner.run(context -> {
      FileLanes files = context.getBean(FileLanes.class);
      assertThat(files.readAllBytes(file)).asString().isEqualTo("hello");
      LaneRegistry registry = context.getBean(LaneRegistry.class);
      assertThat(registry.lanes()).singleElement()
          .satisfies(disk -> assertThat(disk.name()).startsWith("disk:"));
      assertThat(registry.forPath(file).inFlight()).isZero();
    });
  }

  @Test
  void aRegistryOfTheApplicationsOwnWins() {
    runner.withUserConfiguration(OwnRegistry.class)
        .withPropertyValues("lanes.lanes.payments-api.max-wait=1s")
        .run(context -> {
          assertThat(context).hasSingleBean(LaneRegistry.class);
          assertThat(context.getBean(LaneRegistry.class)).isSameAs(OwnRegistry.REGISTRY);
          assertThat(OwnRegistry.REGISTRY.lanes()).isEmpty();
          assertThat(context.getBean(FileLanes.class)).isSameAs(OwnRegistry.REGISTRY.files());
        });
  }

  @Test
  void switchedOffByProperty() {
    runner.withPropertyValues("lanes.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(LaneRegistry.class));
  }

  @Test
  void backsOffWithoutLanesOnTheClassPath() {
    runner.withClassLoader(new FilteredClassLoader(LaneRegistry.class))
        .run(context -> assertThat(context).doesNotHaveBean(LaneRegistry.class));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "lanes.lanes.api.limits.min=-1;lanes.lanes.api.limits.initial=4;lanes.lanes.api.limits.max=8"
          + " | lanes.lanes.api.limits.min | '-1': a limit must be at least 1",
      "lanes.lanes.api.limits.min=9;lanes.lanes.api.limits.initial=9;lanes.lanes.api.limits.max=4"
          + " | lanes.lanes.api.limits.max | '4': must be at least min (9)",
      "lanes.lanes.api.limits.min=2;lanes.lanes.api.limits.initial=90;lanes.lanes.api.limits.max=50"
          + " | lanes.lanes.api.limits.initial | within [min, max] = [2, 50]",
      "lanes.lanes.api.limits.min=2;lanes.lanes.api.limits.max=50"
          + " | lanes.lanes.api.limits.initial | missing: give min, initial and max together",
      "lanes.defaults.algorithm=gradiant | lanes.defaults.algorithm | 'gradiant': no limit algorithm"
          + " of that name is on the class path; known: [aimd, fixed, gradient, vegas]",
      "lanes.lanes.api.algorithm=nope | lanes.lanes.api.algorithm | 'nope'",
      "lanes.defaults.max-wait=-1s | lanes.defaults.max-wait | must not be negative",
      "lanes.lanes.api.max-queued=-5 | lanes.lanes.api.max-queued | '-5'",
      "lanes.lanes.api.limits.min=1;lanes.lanes.api.limits.initial=2;lanes.lanes.api.limits.max=4;"
          + "lanes.lanes.api.background-reserve=4 | lanes.lanes.api.background-reserve | below the"
          + " lane's max limit (4)",
      "lanes.lanes.api.critical-ceiling=0 | lanes.lanes.api.critical-ceiling | '0'",
      // No limits given: the lane's own max (64) decides, and the lane names the combination.
      "lanes.lanes.api.background-reserve=64 | lanes.lanes.api | backgroundReserve must be at least"
          + " 0 and below max (64)",
      "lanes.lanes.[db.main].max-queued=-1 | lanes.lanes.[db.main].max-queued | '-1'",
  })
  void aBadValueFailsStartUpNamingItsProperty(String properties, String property, String says) {
    runner.withPropertyValues(properties.split(";")).run(context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis =
          new InvalidLanesPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis).as("a failure analysis").isNotNull();
      assertThat(analysis.getDescription())
          .startsWith("Property '" + property + "' is ")
          .contains(says);
      assertThat(analysis.getAction()).contains("Change '" + property + "'");
    });
  }

  @Test
  void aValueOfTheWrongTypeFailsInSpringBootsOwnBinding() {
    runner.withPropertyValues("lanes.lanes.api.queue-order=sideways").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure())
          .hasStackTraceContaining("Failed to bind properties under 'lanes.lanes.api.queue-order'")
          .hasStackTraceContaining("sideways");
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistry {
    static final LaneRegistry REGISTRY = LaneRegistry.create();

    @Bean
    LaneRegistry myLanes() {
      return REGISTRY;
    }
  }
}
