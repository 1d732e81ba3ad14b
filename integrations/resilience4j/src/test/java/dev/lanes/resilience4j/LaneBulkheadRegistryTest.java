package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import dev.lanes.registry.LaneRegistry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.core.ConfigurationNotFoundException;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code LaneBulkheadRegistry} as a {@code BulkheadRegistry}, and as Micrometer sees it. */
class LaneBulkheadRegistryTest {

  private static final String MAX_ALLOWED = "resilience4j.bulkhead.max.allowed.concurrent.calls";
  private static final String AVAILABLE = "resilience4j.bulkhead.available.concurrent.calls";

  /** Each lane's algorithm, by lane name: it keeps the limit, and the test moves it. */
  private final Map<String, Steered> algorithms = new ConcurrentHashMap<>();
  private final LaneRegistry lanes = LaneRegistry.builder()
      .algorithm(() -> new Steered(algorithms))
      .customize(lane -> lane.limits(1, 8, 64).maxWait(Duration.ZERO)
          .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO)))
      .build();
  private final LaneBulkheadRegistry registry = LaneBulkheadRegistry.of(lanes);
  private final List<String> registryEvents = new CopyOnWriteArrayList<>();

  {
    registry.getEventPublisher()
        .onEntryAdded(e -> registryEvents.add("added " + e.getAddedEntry().getName()))
        .onEntryRemoved(e -> registryEvents.add("removed " + e.getRemovedEntry().getName()))
        .onEntryReplaced(e -> registryEvents.add("replaced " + e.getOldEntry().getName() + " by "
            + e.getNewEntry()));
  }

  @AfterEach
  void close() {
    lanes.close();
  }

  @Test
  void aNameIsANormalBulkheadOnTheNamedLaneCreatedOnce() {
    Bulkhead payments = registry.bulkhead("payments");

    assertThat(payments).isInstanceOf(LaneBulkhead.class);
    LaneBulkhead lane = (LaneBulkhead) payments;
    assertThat(lane.lane()).isSameAs(lanes.named("payments"));
    assertThat(lane.priority()).isEqualTo(Priority.NORMAL);
    assertThat(payments.getBulkheadConfig().getMaxWaitDuration()).as("the lane's own wait")
        .isEqualTo(Duration.ZERO);
    assertThat(payments.getBulkheadConfig().getMaxConcurrentCalls()).as("the lane's own max")
        .isEqualTo(64);
    assertThat(registry.bulkhead("payments")).isSameAs(payments);
    assertThat(registry.bulkhead("payments", BulkheadConfig.custom().maxConcurrentCalls(3).build()))
        .as("an existing bulkhead keeps its config").isSameAs(payments);
    assertThat(lane.lane().maxLimit()).isEqualTo(64);
    assertThat(registry.find("payments")).containsSame(payments);
    assertThat(registry.find("nobody")).isEmpty();
    assertThat(registry.getAllBulkheads()).containsExactly(payments);
    assertThat(registryEvents).containsExactly("added payments");
    assertThat(registry.lanes()).isSameAs(lanes);
  }

  @Test
  void manyThreadsAskingForOneNameAtOnceGetOneBulkheadAndOneEvent() throws Exception {
    int threads = 8;
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Bulkhead>> asked = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        asked.add(pool.submit(() -> {
          together.await();
          return registry.bulkhead("hot");
        }));
      }
      Bulkhead first = asked.get(0).get(30, TimeUnit.SECONDS);
      for (Future<Bulkhead> f : asked) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(registryEvents).containsExactly("added hot");
  }

  @Test
  void removeAndReplaceFireTheirEventsAsInMemoryBulkheadRegistryDoes() {
    Bulkhead orders = registry.bulkhead("orders");
    Lane lane = ((LaneBulkhead) orders).lane();

    assertThat(registry.remove("orders")).containsSame(orders);
    assertThat(registry.remove("orders")).isEmpty();
    assertThat(registry.find("orders")).isEmpty();
    Bulkhead again = registry.bulkhead("orders");
    assertThat(again).isNotSameAs(orders);
    assertThat(((LaneBulkhead) again).lane()).as("the lane stays in the lane registry")
        .isSameAs(lane);

    Bulkhead semaphore = Bulkhead.ofDefaults("orders");
    assertThat(registry.replace("orders", semaphore)).containsSame(again);
    assertThat(registry.find("orders")).containsSame(semaphore);
    assertThat(registry.replace("unknown", semaphore)).isEmpty();

    assertThat(registryEvents).containsExactly("added orders", "removed orders", "added orders",
        "replaced orders by " + semaphore);
  }

  @Test
  void aGivenConfigSetsTheWaitAndTheLanesMaxLimit() {
    BulkheadConfig config = BulkheadConfig.custom().maxConcurrentCalls(5)
        .maxWaitDuration(Duration.ofMillis(40)).build();
    Bulkhead configured = registry.bulkhead("configured", config);
    assertThat(configured.getBulkheadConfig().getMaxWaitDuration())
        .isEqualTo(Duration.ofMillis(40));
    assertThat(lanes.named("configured").maxLimit()).isEqualTo(5);
    assertThat(lanes.named("configured").limit()).isEqualTo(5);

    registry.bulkhead("supplied", () -> BulkheadConfig.custom().maxConcurrentCalls(6).build());
    assertThat(lanes.named("supplied").maxLimit()).isEqualTo(6);

    registry.addConfiguration("narrow", BulkheadConfig.custom().maxConcurrentCalls(2).build());
    registry.bulkhead("by-name", "narrow", Map.of("team", "storage"));
    assertThat(lanes.named("by-name").maxLimit()).isEqualTo(2);
    assertThat(registry.find("by-name").orElseThrow().getTags())
        .containsEntry("team", "storage");
    assertThatThrownBy(() -> registry.bulkhead("missing", "no-such-config"))
        .isInstanceOf(ConfigurationNotFoundException.class);
    assertThat(registry.find("missing")).isEmpty();

    assertThat(registry.getDefaultConfig()).isNotNull();
    assertThatThrownBy(() -> registry.bulkhead("x", (BulkheadConfig) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aBulkheadCanBeBoundToAnyLaneAtAnyPriority() {
    Lane disk = lanes.named("disk");
    Bulkhead requests = registry.bulkhead("disk");
    Bulkhead scan = registry.bulkhead("disk-scan", disk, Priority.BACKGROUND);

    assertThat(((LaneBulkhead) scan).lane()).isSameAs(disk);
    assertThat(((LaneBulkhead) scan).priority()).isEqualTo(Priority.BACKGROUND);
    assertThat(registry.bulkhead("disk-scan")).as("found by name afterwards").isSameAs(scan);
    assertThat(((LaneBulkhead) requests).lane()).isSameAs(disk);
    assertThat(registry.getAllBulkheads()).containsExactlyInAnyOrder(requests, scan);
  }

  @Test
  void registryTagsGoOnEveryBulkheadAndAnInstanceTagWins() {
    LaneBulkheadRegistry tagged = LaneBulkheadRegistry.of(lanes,
        Map.of("service", "shop", "tier", "default"));
    assertThat(tagged.getTags()).containsOnly(Map.entry("service", "shop"),
        Map.entry("tier", "default"));
    assertThat(tagged.bulkhead("a").getTags()).containsOnly(Map.entry("service", "shop"),
        Map.entry("tier", "default"));
    assertThat(tagged.bulkhead("b", Map.of("tier", "gold")).getTags())
        .containsOnly(Map.entry("service", "shop"), Map.entry("tier", "gold"));
    assertThat(tagged.bulkhead("c", lanes.named("c"), Priority.CRITICAL).getTags())
        .containsEntry("service", "shop");
    assertThat(registry.bulkhead("untagged").getTags()).isNotNull().isEmpty();
  }

  @Test
  void taggedBulkheadMetricsFollowTheAdaptiveLimitOfEveryBulkheadEvenLaterOnes() {
    LaneBulkheadRegistry bulkheads = LaneBulkheadRegistry.of(lanes, Map.of("service", "shop"));
    BulkheadRegistry asResilience4jSeesIt = bulkheads;
    Bulkhead before = asResilience4jSeesIt.bulkhead("before");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TaggedBulkheadMetrics.ofBulkheadRegistry(asResilience4jSeesIt).bindTo(meters);
    Bulkhead after = asResilience4jSeesIt.bulkhead("after");

    assertThat(gauge(meters, MAX_ALLOWED, "before")).isEqualTo(8);
    assertThat(gauge(meters, MAX_ALLOWED, "after")).isEqualTo(8);
    assertThat(meters.get(MAX_ALLOWED).tag("name", "after").gauge().getId().getTag("service"))
        .isEqualTo("shop");

    // The algorithm moves the limit between windows...
    algorithms.get("before").control.propose(13);
    algorithms.get("after").control.propose(3);
    assertThat(gauge(meters, MAX_ALLOWED, "before")).isEqualTo(13);
    assertThat(gauge(meters, MAX_ALLOWED, "after")).isEqualTo(3);

    // ...and when a window closes (here, on every sampled call).
    algorithms.get("after").target = 21;
    after.executeSupplier(() -> "sampled");
    assertThat(gauge(meters, MAX_ALLOWED, "after")).isEqualTo(21);

    assertThat(after.tryAcquirePermission()).isTrue();
    assertThat(after.tryAcquirePermission()).isTrue();
    assertThat(gauge(meters, AVAILABLE, "after")).isEqualTo(19);
    after.onComplete();
    after.onComplete();
    assertThat(gauge(meters, AVAILABLE, "after")).isEqualTo(21);
    assertThat(before.getMetrics().getMaxAllowedConcurrentCalls()).isEqualTo(13);

    bulkheads.remove("after");
    assertThat(meters.find(MAX_ALLOWED).tag("name", "after").gauge()).isNull();
    assertThat(meters.find(MAX_ALLOWED).tag("name", "before").gauge()).isNotNull();
  }

  private static double gauge(SimpleMeterRegistry meters, String name, String bulkhead) {
    Gauge gauge = meters.get(name).tag("name", bulkhead).gauge();
    return gauge.value();
  }

  /** Keeps the limit unless the test sets a target; remembers its lane's control by lane name. */
  private static final class Steered implements LimitAlgorithm {
    private final Map<String, Steered> byLane;
    volatile LimitControl control;
    volatile int target;

    Steered(Map<String, Steered> byLane) {
      this.byLane = byLane;
    }

    @Override
    public void attach(LimitControl lane) {
      this.control = lane;
      byLane.put(lane.laneName(), this);
    }

    @Override
    public int update(WindowSummary window, int currentLimit) {
      return target > 0 ? target : currentLimit;
    }
  }
}
