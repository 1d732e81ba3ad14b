package dev.lanes.micrometer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples and metric types of a Prometheus text-format scrape, for assertions. */
final class PrometheusText {

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample line: its metric name, labels (sorted by name) and value. */
  record Sample(String name, Map<String, String> labels, double value) {
    /** The series, as in the scrape: name{labels}. */
    String series() {
      return name + labels;
    }
  }

  final List<Sample> samples = new ArrayList<>();
  /** Family name to type, from the # TYPE lines. */
  final Map<String, String> types = new LinkedHashMap<>();

  private PrometheusText() {}

  static PrometheusText parse(String scrape) {
    PrometheusText text = new PrometheusText();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        text.types.put(parts[2], parts[3]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
          throw new AssertionError("not a sample line: " + line);
        }
        Map<String, String> labels = new TreeMap<>();
        if (m.group(3) != null) {
          Matcher label = LABEL.matcher(m.group(3));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        text.samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
      }
    }
    return text;
  }

  /** The value of the one sample of {@code name} whose labels include {@code labels}. */
  double value(String name, Map<String, String> labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        found.add(s);
      }
    }
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples of " + name + labels + ": " + found);
    }
    return found.get(0).value();
  }
}
