package dev.lanes.micrometer.review6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.micrometer.LaneMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review 6: what a binding keeps alive. A lane outlives the meter registries it is bound to
 * (a shared lane, and a registry per Spring context in a test suite, or per tenant), so binding
 * must not pin a registry the application has closed and dropped.
 */
class BinderLifetimeTest {

  @Test
  void aClosedAndDroppedMeterRegistryIsNotKeptAliveByTheLaneItWasBoundTo() {
    Lane lane = Lane.builder("long-lived").build();
    try {
      WeakReference<MeterRegistry> dropped = bindThenCloseAndDrop(lane);

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .alias("the closed registry, reachable only from the lane's listener")
          .until(() -> {
            System.gc();
            return dropped.get() == null;
          });
    } finally {
      lane.close();
    }
  }

  /** The control: once the lane is dropped too, the same registry is collected. */
  @Test
  void controlTheSameRegistryIsCollectedOnceTheLaneIsDroppedToo() {
    WeakReference<MeterRegistry> dropped = bindThenCloseAndDrop(Lane.builder("short-lived").build());

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          return dropped.get() == null;
        });
  }

  private static WeakReference<MeterRegistry> bindThenCloseAndDrop(Lane lane) {
    MeterRegistry registry = new SimpleMeterRegistry();
    LaneMetrics.of(lane).bindTo(registry);
    assertThat(registry.find("lanes.limit").gauge()).isNotNull();
    registry.close();
    return new WeakReference<>(registry);
  }
}
