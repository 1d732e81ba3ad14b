package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.Lane;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/grafana/lanes.json} is a dashboard Grafana can import, and its queries ask only for
 * what the binder exports: metric names, label names and fixed label values are checked against
 * a real Prometheus scrape of a bound lane.
 */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("../../docs/grafana/lanes.json");
  /** Labels Prometheus adds to every series it scrapes. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
  private static final Pattern METRIC = Pattern.compile("\\blanes_[a-z_]+\\b");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\((lanes_[a-z_]+),\\s*([a-z_]+)\\)");

  private static JsonNode dashboard;
  /** Every sample name of a scrape, with the values each of its labels takes. */
  private static final Map<String, Map<String, Set<String>>> exported = new HashMap<>();

  @BeforeAll
  static void readDashboardAndScrape() throws IOException {
    assertThat(DASHBOARD).as("the dashboard, from " + Path.of("").toAbsolutePath()).exists();
    dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));

    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LaneMetrics.of(Lane.builder("disk").build()).bindTo(prometheus);
    for (PrometheusText.Sample sample : PrometheusText.parse(prometheus.scrape()).samples) {
      Map<String, Set<String>> labels =
          exported.computeIfAbsent(sample.name(), n -> new HashMap<>());
      sample.labels().forEach((k, v) -> labels.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
    }
  }

  @Test
  void isAnImportableDashboardWithTheDataSourceAsAVariable() {
    assertThat(dashboard.path("title").asText()).isEqualTo("Lanes");
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    JsonNode datasource = variable("datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels()) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique id of " + panel.path("title"))
          .isTrue();
      assertThat(panel.has("gridPos")).as(panel.path("title").asText()).isTrue();
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
        for (JsonNode target : panel.path("targets")) {
          assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        }
      }
    }
  }

  @Test
  void showsLimitAgainstInFlightWaitingRejectionsAndTheTail() {
    Set<String> used = new TreeSet<>();
    for (String expr : expressions()) {
      Matcher metric = METRIC.matcher(withoutStrings(expr));
      while (metric.find()) {
        used.add(metric.group());
      }
    }
    assertThat(used).contains("lanes_limit", "lanes_in_flight", "lanes_waiting",
        "lanes_rejected_total", "lanes_latency_percentile_seconds");
    assertThat(expressions()).anyMatch(e -> e.contains("lanes_latency_percentile_seconds")
        && e.contains("phi=\"0.99\"") && e.contains("priority"));
    assertThat(expressions()).anyMatch(e -> e.contains("lanes_rejected_total")
        && e.matches(".*by \\([^)]*reason[^)]*\\).*"));
  }

  @Test
  void everyQueryNamesOnlyWhatTheBinderExports() {
    Set<String> exportedLabels = new TreeSet<>(TARGET_LABELS);
    exported.values().forEach(labels -> exportedLabels.addAll(labels.keySet()));

    for (String expr : expressions()) {
      List<String> metrics = new ArrayList<>();
      Matcher metric = METRIC.matcher(withoutStrings(expr));
      while (metric.find()) {
        metrics.add(metric.group());
      }
      assertThat(metrics).as(expr).isNotEmpty();
      assertThat(exported).as(expr).containsKeys(metrics.toArray(String[]::new));

      Matcher matcher = MATCHER.matcher(expr);
      while (matcher.find()) {
        String label = matcher.group(1);
        String value = matcher.group(3);
        assertThat(exportedLabels).as(expr).contains(label);
        if (matcher.group(2).equals("=") && !value.startsWith("$")) {
          // A fixed value must be one the binder writes, for each metric the query reads.
          for (String name : metrics) {
            assertThat(exported.get(name).getOrDefault(label, Set.of()))
                .as(expr + ": " + label + " of " + name).contains(value);
          }
        }
      }
      Matcher grouping = GROUPING.matcher(expr);
      while (grouping.find()) {
        for (String label : grouping.group(1).split(",")) {
          assertThat(exportedLabels).as(expr).contains(label.trim());
        }
      }
    }
  }

  @Test
  void theLaneVariableListsTheLanesTheBinderExports() {
    String query = variable("lane").path("query").path("query").asText();
    Matcher labelValues = LABEL_VALUES.matcher(query);
    assertThat(labelValues.matches()).as(query).isTrue();
    assertThat(exported.get(labelValues.group(1))).as(query).containsKey(labelValues.group(2));
  }

  // ---- helpers ----

  private static JsonNode variable(String name) {
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("name").asText().equals(name)) {
        return variable;
      }
    }
    throw new AssertionError("no variable " + name);
  }

  /** Every panel, including those nested in collapsed rows. */
  private static List<JsonNode> panels() {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    assertThat(all).isNotEmpty();
    return all;
  }

  private static List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
      }
    }
    return exprs;
  }

  private static String withoutStrings(String expr) {
    return expr.replaceAll("\"[^\"]*\"", "\"\"");
  }
}
