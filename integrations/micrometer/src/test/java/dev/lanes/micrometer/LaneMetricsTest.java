package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LaneMetricsTest {

  private static final long MS = 1_000_000;
  /** Two gauges, two waiting gauges, and per priority 1 + 6 + 3 counters, a timer, 2 gauges. */
  static final int METERS_PER_LANE = 43;

  private final ManualTicker ticker = new ManualTicker();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final SettableLimit algorithm = new SettableLimit();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  /**
   * A lane of limit 2 (1 to 4), critical ceiling 4, two places in its queue, FIFO, a window on
   * every sampled release, and a clock and timeouts the test drives. Waiters are told on the
   * thread that serves them: by default, when one event (a close) tells two async waiters, the
   * second hears on the callback pool, after the test has looked.
   */
  private Lane scriptedLane() {
    return Lane.builder("disk")
        .algorithm(algorithm)
        .limits(1, 2, 4)
        .criticalCeiling(4)
        .maxQueued(2)
        .queueOrder(QueueOrder.FIFO)
        .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO))
        .ticker(ticker)
        .scheduler(scheduler)
        .callbackExecutor(Runnable::run)
        .build();
  }

  @Test
  void everyMeterMatchesTheLaneAfterAScriptedSequence() throws Exception {
    Lane lane = scriptedLane();
    LaneMetrics.of(lane).bindTo(registry);
    Gauge limit = registry.get("lanes.limit").tag("lane", "disk").gauge();
    assertThat(limit.value()).isEqualTo(2);

    // A BACKGROUND call that takes 3 ms.
    Permit e = lane.tryAcquire(Priority.BACKGROUND).orElseThrow();
    ticker.advance(Duration.ofMillis(3));
    e.close();

    // Fill the lane: two NORMAL permits, then two CRITICAL ones up to the ceiling.
    Permit a = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Permit b = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    assertThat(lane.tryAcquire(Priority.NORMAL)).isEmpty();                  // LIMIT_REACHED
    assertThat(lane.tryAcquire(Priority.BACKGROUND)).isEmpty();              // LIMIT_REACHED
    Permit c = lane.tryAcquire(Priority.CRITICAL).orElseThrow();
    Permit d = lane.tryAcquire(Priority.CRITICAL).orElseThrow();
    assertThat(lane.tryAcquire(Priority.CRITICAL)).isEmpty();                // CEILING

    // The queue: a BACKGROUND waiter, evicted by the second of two NORMAL ones.
    CompletableFuture<Permit> bg1 = lane.acquireAsync(Priority.BACKGROUND, Duration.ofHours(1));
    CompletableFuture<Permit> timesOut = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(10));
    CompletableFuture<Permit> n2 = lane.acquireAsync(Priority.NORMAL, Duration.ofHours(1));
    assertRefused(bg1, Reason.EVICTED);
    assertRefused(lane.acquireAsync(Priority.NORMAL, Duration.ofHours(1)), Reason.QUEUE_FULL);
    assertRefused(lane.acquireAsync(Priority.BACKGROUND, Duration.ofHours(1)), Reason.QUEUE_FULL);
    scheduler.fireUpTo(Duration.ofMillis(10));
    assertRefused(timesOut, Reason.TIMEOUT);
    CompletableFuture<Permit> bg2 = lane.acquireAsync(Priority.BACKGROUND, Duration.ofHours(1));

    // Releases of every kind; each freed permit goes to a waiter once there is room.
    ticker.advance(Duration.ofMillis(5));
    c.close();                                   // CRITICAL, 5 ms
    d.ignore();
    b.dropped();                                 // n2 gets the permit
    ticker.advance(Duration.ofMillis(2));
    a.close();                                   // NORMAL, 7 ms; bg2 gets the permit
    Permit p2 = n2.get(0, TimeUnit.SECONDS);
    Permit pb = bg2.get(0, TimeUnit.SECONDS);

    // The limit falls below what is in flight, and two calls queue behind it.
    algorithm.set(1);
    CompletableFuture<Permit> n3 = lane.acquireAsync(Priority.NORMAL, Duration.ofHours(1));
    CompletableFuture<Permit> bg3 = lane.acquireAsync(Priority.BACKGROUND, Duration.ofHours(1));

    LaneSnapshot snapshot = lane.snapshot();
    Map<String, Double> values = readAll(registry);
    assertThat(values.keySet()).isEqualTo(expectedMeters("disk"));
    values.forEach((meter, value) -> assertSameValue(meter, value, expected(meter, snapshot)));

    // The same values, spelled out, so the snapshot is checked too.
    assertThat(values).containsAllEntriesOf(Map.ofEntries(
        Map.entry("lanes.limit{lane=disk}", 1.0),
        Map.entry("lanes.in.flight{lane=disk}", 2.0),
        Map.entry("lanes.waiting{lane=disk,priority=normal}", 1.0),
        Map.entry("lanes.waiting{lane=disk,priority=background}", 1.0),
        Map.entry("lanes.admitted{lane=disk,priority=critical}", 2.0),
        Map.entry("lanes.admitted{lane=disk,priority=normal}", 3.0),
        Map.entry("lanes.admitted{lane=disk,priority=background}", 2.0),
        Map.entry("lanes.rejected{lane=disk,priority=normal,reason=limit_reached}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=background,reason=limit_reached}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=critical,reason=ceiling}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=background,reason=evicted}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=normal,reason=queue_full}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=background,reason=queue_full}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=normal,reason=timeout}", 1.0),
        Map.entry("lanes.rejected{lane=disk,priority=normal,reason=closed}", 0.0),
        Map.entry("lanes.released{lane=disk,outcome=success,priority=background}", 1.0),
        Map.entry("lanes.released{lane=disk,outcome=success,priority=normal}", 1.0),
        Map.entry("lanes.released{lane=disk,outcome=dropped,priority=normal}", 1.0),
        Map.entry("lanes.released{lane=disk,outcome=success,priority=critical}", 1.0),
        Map.entry("lanes.released{lane=disk,outcome=ignored,priority=critical}", 1.0),
        Map.entry("lanes.latency.count{lane=disk,priority=normal}", 1.0),
        Map.entry("lanes.latency.count{lane=disk,priority=background}", 1.0)));
    long rejectedInAll = values.entrySet().stream()
        .filter(v -> v.getKey().startsWith("lanes.rejected"))
        .mapToLong(v -> v.getValue().longValue()).sum();
    assertThat(rejectedInAll).isEqualTo(7);
    // Latencies come from the lane's histogram, within 3.2% of the truth.
    assertThat(values.get("lanes.latency.total{lane=disk,priority=background}"))
        .isCloseTo(3 * MS, within(0.032 * 3 * MS));
    assertThat(values.get("lanes.latency.total{lane=disk,priority=critical}"))
        .isCloseTo(5 * MS, within(0.032 * 5 * MS));
    assertThat(values.get("lanes.latency.total{lane=disk,priority=normal}"))
        .isCloseTo(7 * MS, within(0.032 * 7 * MS));
    // The last window held the NORMAL release alone.
    assertThat(values.get("lanes.latency.percentile{lane=disk,phi=0.99,priority=normal}"))
        .isCloseTo(0.007, within(0.032 * 0.007));
    assertThat(values.get("lanes.latency.percentile{lane=disk,phi=0.5,priority=normal}"))
        .isCloseTo(0.007, within(0.032 * 0.007));
    assertThat(values.get("lanes.latency.percentile{lane=disk,phi=0.99,priority=critical}"))
        .isNaN();
    assertThat(values.get("lanes.latency.percentile{lane=disk,phi=0.5,priority=background}"))
        .isNaN();

    // Closing fails both waiters and a newcomer with CLOSED; the meters leave the registry. The
    // counters still read, as a last scrape before the removal would.
    FunctionCounter closedNormal = rejected(registry, "normal", "closed");
    FunctionCounter closedBackground = rejected(registry, "background", "closed");
    lane.close();
    assertRefused(n3, Reason.CLOSED);
    assertRefused(bg3, Reason.CLOSED);
    assertThat(lane.tryAcquire(Priority.NORMAL)).isEmpty();
    assertThat(closedNormal.count()).isEqualTo(2);
    assertThat(closedBackground.count()).isEqualTo(1);
    assertThat(registry.getMeters()).isEmpty();
    p2.close();
    pb.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void theLatencyTimerHoldsTheTimedCallsSoItsMeanIsRightWhenABusyLaneSamples() {
    // A busy lane times one call in k: 2,000 calls of 1 ms in windows of 100 ms that need only
    // one timed call each.
    Lane lane = Lane.builder("busy")
        .algorithm(algorithm)
        .limits(1, 2, 4)
        .window(WindowConfig.percentile(0.99).minSamples(1).timedCalls(1)
            .minDuration(Duration.ofMillis(100)))
        .ticker(ticker)
        .build();
    LaneMetrics.of(lane).bindTo(registry);
    for (int i = 0; i < 2_000; i++) {
      Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      ticker.advance(Duration.ofMillis(1));
      permit.close();
    }

    FunctionTimer latency = registry.get("lanes.latency").tag("priority", "normal")
        .functionTimer();
    double released = registry.get("lanes.released").tag("priority", "normal")
        .tag("outcome", "success").functionCounter().count();
    assertThat(released).isEqualTo(2_000);
    assertThat(latency.count()).isEqualTo(lane.snapshot().timed(Priority.NORMAL))
        .isPositive().isLessThan(released / 4);
    assertThat(latency.mean(TimeUnit.NANOSECONDS)).isCloseTo(MS, within(0.032 * MS));
  }

  @Test
  void gaugesFollowTheLimitAndTheLoadLive() {
    Lane lane = scriptedLane();
    LaneMetrics.of(lane).bindTo(registry);
    Gauge limit = registry.get("lanes.limit").gauge();
    Gauge inFlight = registry.get("lanes.in.flight").gauge();

    Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    assertThat(inFlight.value()).isEqualTo(1);
    algorithm.set(4);
    assertThat(limit.value()).isEqualTo(4);
    permit.close();
    algorithm.set(3);
    assertThat(limit.value()).isEqualTo(3);
    assertThat(inFlight.value()).isZero();
  }

  @Test
  void extraTagsGoOnEveryMeter() {
    Lane lane = scriptedLane();
    LaneMetrics.of(lane).tags(Tags.of("service", "catalog", "zone", "eu-1")).bindTo(registry);

    assertThat(registry.getMeters()).hasSize(METERS_PER_LANE);
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getTag("service")).as(meter.getId().toString()).isEqualTo("catalog");
      assertThat(meter.getId().getTag("zone")).isEqualTo("eu-1");
      assertThat(meter.getId().getTag("lane")).isEqualTo("disk");
    }
  }

  @Test
  void tagsLeavesTheBinderItIsCalledOnUnchanged() {
    Lane lane = scriptedLane();
    LaneMetrics plain = LaneMetrics.of(lane);
    LaneMetrics tagged = plain.tags(Tags.of("service", "catalog"));
    MeterRegistry other = new SimpleMeterRegistry();

    plain.bindTo(registry);
    tagged.bindTo(other);

    assertThat(registry.get("lanes.limit").gauge().getId().getTag("service")).isNull();
    assertThat(other.get("lanes.limit").gauge().getId().getTag("service")).isEqualTo("catalog");
  }

  @Test
  void extraTagsMayNotUseTheBindersOwnKeys() {
    LaneMetrics metrics = LaneMetrics.of(scriptedLane());
    for (String key : List.of("lane", "priority", "reason", "outcome", "phi")) {
      assertThatThrownBy(() -> metrics.tags(Tags.of(key, "x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + key + "'");
    }
    assertThatThrownBy(() -> metrics.tags(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("extraTags");
    assertThatThrownBy(() -> LaneMetrics.of((Lane) null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("lane");
    assertThatThrownBy(() -> metrics.bindTo(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("registry");
  }

  @Test
  void tagValuesAreLowerCase() {
    LaneMetrics.of(scriptedLane()).bindTo(registry);
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        if (!tag.getKey().equals("lane")) {
          assertThat(tag.getValue()).isEqualTo(tag.getValue().toLowerCase(Locale.ROOT));
        }
      }
    }
    assertThat(registry.find("lanes.rejected").tag("reason", "queue_full").meters()).hasSize(3);
  }

  @Test
  void aClosedLanesMetersLeaveEveryRegistryItWasBoundTo() {
    Lane lane = scriptedLane();
    Lane other = Lane.builder("other").build();
    MeterRegistry second = new SimpleMeterRegistry();
    LaneMetrics.of(lane).bindTo(registry);
    LaneMetrics.of(lane).bindTo(second);
    LaneMetrics.of(other).bindTo(registry);

    lane.close();

    assertThat(registry.find("lanes.limit").tag("lane", "disk").meters()).isEmpty();
    assertThat(registry.getMeters()).hasSize(METERS_PER_LANE)
        .allMatch(m -> "other".equals(m.getId().getTag("lane")));
    assertThat(second.getMeters()).isEmpty();
    other.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void aLaneClosedBeforeBindingGetsNoMeters() {
    Lane lane = scriptedLane();
    lane.close();

    LaneMetrics.of(lane).bindTo(registry);

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void metersStillReadAfterTheBinderIsDropped() {
    Lane lane = scriptedLane();
    LaneMetrics.of(lane).bindTo(registry);    // nothing keeps the binder
    lane.tryAcquire(Priority.NORMAL).orElseThrow().close();

    // Micrometer holds a function counter's object weakly: the lane must keep it reachable.
    for (int i = 0; i < 3; i++) {
      System.gc();
    }

    assertThat(registry.get("lanes.admitted").tag("priority", "normal").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("lanes.latency").tag("priority", "normal").functionTimer().count())
        .isEqualTo(1);
    assertThat(registry.get("lanes.waiting").tag("priority", "normal").gauge().value()).isZero();
  }

  // ---- helpers ----

  private static void assertRefused(CompletableFuture<Permit> future, Reason reason) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(LaneRejectedException.class);
      assertThat(((LaneRejectedException) e.getCause()).reason()).isEqualTo(reason);
      return;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("not refused");
  }

  static void assertSameValue(String meter, double actual, double expected) {
    if (Double.isNaN(expected)) {
      assertThat(actual).as(meter).isNaN();
    } else {
      assertThat(actual).as(meter).isEqualTo(expected, within(1e-12));
    }
  }

  private static FunctionCounter rejected(MeterRegistry registry, String priority, String reason) {
    return registry.get("lanes.rejected").tag("priority", priority).tag("reason", reason)
        .functionCounter();
  }

  /** Every meter's value, keyed "name{k=v,...}"; a timer gives ".count" and ".total" (in ns). */
  static Map<String, Double> readAll(MeterRegistry registry) {
    Map<String, Double> values = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      String tags = key(meter.getId().getTags());
      String name = meter.getId().getName();
      if (meter instanceof Gauge) {
        values.put(name + tags, ((Gauge) meter).value());
      } else if (meter instanceof FunctionCounter) {
        values.put(name + tags, ((FunctionCounter) meter).count());
      } else if (meter instanceof FunctionTimer) {
        FunctionTimer timer = (FunctionTimer) meter;
        values.put(name + ".count" + tags, timer.count());
        values.put(name + ".total" + tags, timer.totalTime(TimeUnit.NANOSECONDS));
      } else {
        throw new AssertionError("unexpected meter " + meter.getId());
      }
    }
    return values;
  }

  /** The keys {@link #readAll} gives for a bound lane called {@code lane}, and nothing else. */
  static Set<String> expectedMeters(String lane) {
    Set<String> keys = new TreeSet<>();
    keys.add("lanes.limit{lane=" + lane + "}");
    keys.add("lanes.in.flight{lane=" + lane + "}");
    for (String p : List.of("normal", "background")) {
      keys.add("lanes.waiting{lane=" + lane + ",priority=" + p + "}");
    }
    for (Priority priority : Priority.values()) {
      String p = priority.name().toLowerCase(Locale.ROOT);
      keys.add("lanes.admitted{lane=" + lane + ",priority=" + p + "}");
      for (Reason reason : Reason.values()) {
        keys.add("lanes.rejected{lane=" + lane + ",priority=" + p + ",reason="
            + reason.name().toLowerCase(Locale.ROOT) + "}");
      }
      for (String outcome : List.of("success", "dropped", "ignored")) {
        keys.add("lanes.released{lane=" + lane + ",outcome=" + outcome + ",priority=" + p + "}");
      }
      keys.add("lanes.latency.count{lane=" + lane + ",priority=" + p + "}");
      keys.add("lanes.latency.total{lane=" + lane + ",priority=" + p + "}");
      for (String phi : List.of("0.5", "0.99")) {
        keys.add("lanes.latency.percentile{lane=" + lane + ",phi=" + phi + ",priority=" + p + "}");
      }
    }
    return keys;
  }

  /** What a meter keyed as in {@link #readAll} should read, worked out from a snapshot. */
  static double expected(String key, LaneSnapshot s) {
    String name = key.substring(0, key.indexOf('{'));
    Map<String, String> tags = new TreeMap<>();
    for (String pair : key.substring(key.indexOf('{') + 1, key.length() - 1).split(",")) {
      String[] kv = pair.split("=", 2);
      tags.put(kv[0], kv[1]);
    }
    Priority p = tags.containsKey("priority")
        ? Priority.valueOf(tags.get("priority").toUpperCase(Locale.ROOT)) : null;
    switch (name) {
      case "lanes.limit":
        return s.limit();
      case "lanes.in.flight":
        return s.inFlight();
      case "lanes.waiting":
        return s.waiting(p);
      case "lanes.admitted":
        return s.admitted(p);
      case "lanes.rejected":
        return s.rejected(p, Reason.valueOf(tags.get("reason").toUpperCase(Locale.ROOT)));
      case "lanes.released":
        switch (tags.get("outcome")) {
          case "success": return s.completed(p);
          case "dropped": return s.dropped(p);
          case "ignored": return s.ignored(p);
          default: throw new AssertionError(key);
        }
      case "lanes.latency.count":
        return s.timed(p);
      case "lanes.latency.total":
        return s.totalLatencyNanos(p);
      case "lanes.latency.percentile":
        WindowSummary part = s.lastWindow().orElseThrow().parts().get(p.ordinal());
        return part.samples() == 0
            ? Double.NaN : part.percentileNanos(Double.parseDouble(tags.get("phi"))) / 1e9;
      default:
        throw new AssertionError("unexpected meter " + key);
    }
  }

  private static String key(List<Tag> tags) {
    List<String> pairs = new ArrayList<>();
    for (Tag tag : tags) {
      pairs.add(tag.getKey() + "=" + tag.getValue());
    }
    return "{" + String.join(",", pairs) + "}";
  }
}
