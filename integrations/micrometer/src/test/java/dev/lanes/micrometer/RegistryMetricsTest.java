package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.nativelib.NativeLane;
import dev.lanes.nativelib.NativeProfile;
import dev.lanes.registry.LaneRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code LaneMetrics.of(LaneRegistry)}: every lane of the registry, now and later. */
class RegistryMetricsTest {

  private final LaneRegistry lanes = LaneRegistry.builder().algorithm("fixed").build();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void closeLanes() {
    lanes.close();
  }

  @Test
  void bindsTheLanesOfTheRegistryAndThoseItCreatesLater() {
    Lane before = lanes.named("before");
    LaneMetrics.of(lanes).bindTo(registry);
    Lane after = lanes.named("after");
    NativeLane zlib = lanes.forNativeLibrary("zlib", NativeProfile.CPU_BOUND);

    assertThat(meterCounts()).isEqualTo(Map.of(
        "before", (long) LaneMetricsTest.METERS_PER_LANE,
        "after", (long) LaneMetricsTest.METERS_PER_LANE,
        zlib.lane().name(), (long) LaneMetricsTest.METERS_PER_LANE));

    after.tryAcquire(Priority.BACKGROUND).orElseThrow().dropped();
    assertThat(registry.get("lanes.released").tag("lane", "after").tag("priority", "background")
        .tag("outcome", "dropped").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("lanes.limit").tag("lane", "before").gauge().value())
        .isEqualTo(before.limit());
  }

  @Test
  void lanesCreatedWhileBindingAreBoundExactlyOnce() throws Exception {
    int threads = 4;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> creators = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        creators.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            lanes.named("lane-" + thread + "-" + i);
          }
          return null;
        }));
      }
      start.countDown();
      LaneMetrics.of(lanes).bindTo(registry);
      for (Future<?> creator : creators) {
        creator.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Set<String> expected = IntStream.range(0, threads * perThread)
        .mapToObj(i -> "lane-" + i / perThread + "-" + i % perThread)
        .collect(Collectors.toSet());
    assertThat(meterCounts().keySet()).isEqualTo(expected);
    assertThat(meterCounts().values()).containsOnly((long) LaneMetricsTest.METERS_PER_LANE);
    // Each lane heard one binding: closing one removes its meters and no other lane's.
    lanes.named("lane-0-0").close();
    assertThat(meterCounts()).hasSize(threads * perThread - 1).doesNotContainKey("lane-0-0");
  }

  @Test
  void closingTheRegistryRemovesEveryLanesMeters() {
    lanes.named("a");
    LaneMetrics.of(lanes).bindTo(registry);
    lanes.named("b");
    assertThat(registry.getMeters()).hasSize(2 * LaneMetricsTest.METERS_PER_LANE);

    lanes.close();

    assertThat(registry.getMeters()).isEmpty();
  }

  private Map<String, Long> meterCounts() {
    return registry.getMeters().stream()
        .collect(Collectors.groupingBy(m -> m.getId().getTag("lane"), Collectors.counting()));
  }
}
