package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What Prometheus sees: names, types, labels and units of a real scrape. */
class PrometheusScrapeTest {

  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ManualTicker ticker = new ManualTicker();

  @Test
  void theScrapeHasTheDocumentedNamesTypesLabelsAndUnits() {
    Lane lane = Lane.builder("disk")
        .limits(1, 2, 4)
        .window(WindowConfig.percentile(0.99).minSamples(1).minDuration(Duration.ZERO))
        .ticker(ticker)
        .build();
    LaneMetrics.of(lane).tags(Tags.of("service", "catalog")).bindTo(prometheus);
    Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    ticker.advance(Duration.ofMillis(7));
    permit.close();
    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    lane.tryAcquire(Priority.CRITICAL).orElseThrow();
    lane.tryAcquire(Priority.BACKGROUND);       // refused: the lane is full

    PrometheusText scrape = PrometheusText.parse(prometheus.scrape());

    assertThat(scrape.types).containsExactlyInAnyOrderEntriesOf(Map.of(
        "lanes_limit", "gauge",
        "lanes_in_flight", "gauge",
        "lanes_waiting", "gauge",
        "lanes_admitted_total", "counter",
        "lanes_rejected_total", "counter",
        "lanes_released_total", "counter",
        "lanes_latency_seconds", "summary",
        "lanes_latency_percentile_seconds", "gauge"));
    assertThat(labelKeys(scrape)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "lanes_limit", Set.of(Set.of("lane", "service")),
        "lanes_in_flight", Set.of(Set.of("lane", "service")),
        "lanes_waiting", Set.of(Set.of("lane", "service", "priority")),
        "lanes_admitted_total", Set.of(Set.of("lane", "service", "priority")),
        "lanes_rejected_total", Set.of(Set.of("lane", "service", "priority", "reason")),
        "lanes_released_total", Set.of(Set.of("lane", "service", "priority", "outcome")),
        "lanes_latency_seconds_count", Set.of(Set.of("lane", "service", "priority")),
        "lanes_latency_seconds_sum", Set.of(Set.of("lane", "service", "priority")),
        "lanes_latency_percentile_seconds", Set.of(Set.of("lane", "service", "priority", "phi"))));
    assertThat(scrape.samples).allMatch(s -> s.labels().get("lane").equals("disk")
        && s.labels().get("service").equals("catalog"));

    assertThat(scrape.value("lanes_limit", Map.of())).isEqualTo(2);
    assertThat(scrape.value("lanes_in_flight", Map.of())).isEqualTo(2);
    assertThat(scrape.value("lanes_admitted_total", Map.of("priority", "normal"))).isEqualTo(2);
    assertThat(scrape.value("lanes_admitted_total", Map.of("priority", "critical"))).isEqualTo(1);
    assertThat(scrape.value("lanes_rejected_total",
        Map.of("priority", "background", "reason", "limit_reached"))).isEqualTo(1);
    assertThat(scrape.value("lanes_rejected_total",
        Map.of("priority", "normal", "reason", "queue_full"))).isZero();
    assertThat(scrape.value("lanes_released_total",
        Map.of("priority", "normal", "outcome", "success"))).isEqualTo(1);
    // Time in seconds, as Prometheus expects: 7 ms within the histogram's 3.2%.
    assertThat(scrape.value("lanes_latency_seconds_count", Map.of("priority", "normal")))
        .isEqualTo(1);
    assertThat(scrape.value("lanes_latency_seconds_sum", Map.of("priority", "normal")))
        .isCloseTo(0.007, within(0.007 * 0.032));
    assertThat(scrape.value("lanes_latency_percentile_seconds",
        Map.of("priority", "normal", "phi", "0.99"))).isCloseTo(0.007, within(0.007 * 0.032));
    assertThat(scrape.value("lanes_latency_percentile_seconds",
        Map.of("priority", "background", "phi", "0.5"))).isNaN();
    held.close();
  }

  @Test
  void everyReasonAndOutcomeHasASeriesFromTheStart() {
    LaneMetrics.of(Lane.builder("idle").build()).bindTo(prometheus);

    PrometheusText scrape = PrometheusText.parse(prometheus.scrape());

    Set<String> reasons = scrape.samples.stream()
        .filter(s -> s.name().equals("lanes_rejected_total"))
        .map(s -> s.labels().get("priority") + "/" + s.labels().get("reason"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(reasons).hasSize(3 * 6).contains("critical/ceiling", "background/evicted",
        "normal/limit_reached", "normal/queue_full", "normal/timeout", "normal/closed");
    assertThat(scrape.samples.stream().filter(s -> s.name().equals("lanes_released_total")))
        .extracting(s -> s.labels().get("outcome"))
        .containsOnly("success", "dropped", "ignored")
        .hasSize(9);
  }

  @Test
  void aScrapeTakesOneSnapshotPerLane() {
    Lane first = Lane.builder("first").build();
    Lane second = Lane.builder("second").build();
    int[] firstSnapshots = {0};
    int[] secondSnapshots = {0};
    LaneMeters.bind(first, () -> {
      firstSnapshots[0]++;
      return first.snapshot();
    }, prometheus, Tags.empty());
    LaneMeters.bind(second, () -> {
      secondSnapshots[0]++;
      return second.snapshot();
    }, prometheus, Tags.empty());

    for (int scrape = 1; scrape <= 5; scrape++) {
      first.tryAcquire(Priority.NORMAL).orElseThrow().close();
      PrometheusText text = PrometheusText.parse(prometheus.scrape());

      assertThat(firstSnapshots[0]).isEqualTo(scrape);
      assertThat(secondSnapshots[0]).isEqualTo(scrape);
      // Each scrape is fresh: the permit taken just before it is counted.
      assertThat(text.value("lanes_admitted_total", Map.of("lane", "first", "priority", "normal")))
          .isEqualTo(scrape);
    }
  }

  /** Each metric's label keys; a metric whose samples disagree on them has several sets. */
  private static Map<String, Set<Set<String>>> labelKeys(PrometheusText scrape) {
    return scrape.samples.stream().collect(Collectors.groupingBy(PrometheusText.Sample::name,
        Collectors.mapping(s -> s.labels().keySet(), Collectors.toSet())));
  }
}
