package dev.lanes.sim;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders the scoreboard's results as markdown. */
final class ScoreboardReport {

  private ScoreboardReport() {}

  static String render(Map<Scenario, List<RunResult>> results, long seed) {
    StringBuilder md = new StringBuilder();
    md.append("# Scoreboard\n\n");
    md.append("Real lanes and real limit algorithms, in virtual time, against modelled devices. ")
        .append("Written by\n\n```\nmvn -q -pl simulator -am -DskipTests package exec:java\n```\n\n")
        .append(String.format(Locale.ROOT, "Seed %d; every run is deterministic, so the same seed"
            + " gives this file byte for byte, charts too, except the rows of Netflix's"
            + " `VegasLimit`, which draws its probe jitter from `ThreadLocalRandom`, a source no"
            + " seed reaches: they move by a few tenths of a percent from run to run. All %d runs"
            + " take about half a minute on a 2-core machine.%n%n", seed,
            results.values().stream().mapToInt(List::size).sum()));
    md.append("**How to read it.** *Goodput* is requests served before their caller gave up, as a")
        .append(" fraction of what the device could complete. *Device* latency is from the start")
        .append(" of service to completion, the queue inside the device included; *end-to-end*")
        .append(" adds the wait in the lane. The *oracle* is a fixed limit at the device's true")
        .append(" parallelism P (it follows P when P changes): the best a limiter can do. *Settle*")
        .append(" is the time from a change of P until the limit stays within ±25% of the new P.")
        .append(" Netflix limits run through `lanes-netflix`, each twice: with Netflix's defaults,")
        .append(" and with the same min/initial/max as the Lanes contenders. A contender *matches")
        .append(" or beats* another with goodput ≥ 0.98 × theirs and NORMAL p99 ≤ 1.05 × theirs;")
        .append(" the summary gives it on the device's p99 and on the caller's (end-to-end).\n\n");

    md.append("## Summary\n\n| scenario | targets for `gradient` | matches or beats every Netflix")
        .append(" contender, device p99 | ... end-to-end p99 |\n|---|---|---|---|\n");
    int device = 0;
    int endToEnd = 0;
    int targeted = 0;
    List<Scenario> nine = Scenarios.targeted().stream().map(Scenario::name)
        .map(Scenarios::byName).collect(Collectors.toList());
    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      Scenario s = entry.getKey();
      boolean inNine = nine.stream().anyMatch(n -> n.name().equals(s.name()));
      boolean d = Targets.beatsEveryNetflix(entry.getValue(), false);
      boolean e = Targets.beatsEveryNetflix(entry.getValue(), true);
      if (inNine) {
        targeted++;
        device += d ? 1 : 0;
        endToEnd += e ? 1 : 0;
      }
      List<Targets.Check> checks = Targets.checks(s, entry.getValue());
      String targetText = checks.isEmpty() ? "—" : checks.stream()
          .map(c -> (c.met() ? "met: " : "**missed**: ") + c.what())
          .collect(Collectors.joining("<br>"));
      md.append("| [").append(s.name()).append("](#").append(s.name()).append(")")
          .append(inNine ? "" : " (extra)").append(" | ").append(targetText).append(" | ")
          .append(yes(d, netflixScore(entry.getValue(), false))).append(" | ")
          .append(yes(e, netflixScore(entry.getValue(), true))).append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%n`gradient` matches or beats every Netflix contender"
        + " in **%d of %d** targeted scenarios on device p99, and in **%d of %d** on end-to-end"
        + " p99.%n%n", device, targeted, endToEnd, targeted));

    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      scenario(md, entry.getKey(), entry.getValue());
    }
    return md.toString();
  }

  private static String netflixScore(List<RunResult> results, boolean endToEnd) {
    RunResult subject = Targets.find(results, c -> c.name().equals(Targets.SUBJECT));
    List<RunResult> netflix = results.stream()
        .filter(r -> r.contender().group() == Contender.Group.NETFLIX)
        .collect(Collectors.toList());
    long beaten = netflix.stream()
        .filter(r -> Targets.matchesOrBeats(subject, r, endToEnd)).count();
    return beaten + "/" + netflix.size();
  }

  private static String yes(boolean yes, String detail) {
    return (yes ? "yes" : "no") + " (" + detail + ")";
  }

  private static void scenario(StringBuilder md, Scenario s, List<RunResult> results) {
    md.append("## ").append(s.name()).append("\n\n").append(s.description()).append("\n\n");
    md.append("Device: ").append(s.device().create(new Simulation(0))).append(".\n\n");
    md.append(verdict(s, results)).append("\n\n");
    for (Targets.Check check : Targets.checks(s, results)) {
      md.append("- ").append(check.met() ? "Target met: " : "**Target missed**: ")
          .append(check.what()).append(" — ").append(check.measured()).append("\n");
    }
    md.append("\n![").append(s.name()).append("](img/").append(s.name()).append(".png)\n\n");
    for (Priority p : Priority.values()) {
      if (results.get(0).offered(p) == 0) {
        continue;
      }
      md.append("### ").append(p).append("\n\n")
          .append("| contender | goodput | refused | late | device p50 | p99 | p99.9")
          .append(" | end-to-end p50 | p99 | p99.9 | limit mean ± sd | settle (s) |\n")
          .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (RunResult r : results) {
        md.append(String.format(Locale.ROOT,
            "| %s | %.3f | %.1f%% | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s |%n",
            r.contender().name().equals(Targets.SUBJECT) ? "**gradient**" : r.contender().name(),
            r.goodput(p), 100 * r.rejectionRate(p), r.late(p),
            r.deviceMillis(p, 0.5), r.deviceMillis(p, 0.99), r.deviceMillis(p, 0.999),
            r.endToEndMillis(p, 0.5), r.endToEndMillis(p, 0.99), r.endToEndMillis(p, 0.999),
            Double.isNaN(r.limitMean()) ? "—"
                : String.format(Locale.ROOT, "%.1f ± %.1f", r.limitMean(), r.limitStdDev()),
            settle(r)));
      }
      md.append("\n");
    }
    md.append("Latencies in ms. *Refused* counts every reason (").append(reasons())
        .append("); *late* requests were served after their caller gave up.\n\n");
  }

  private static String verdict(Scenario s, List<RunResult> results) {
    RunResult subject = Targets.find(results, c -> c.name().equals(Targets.SUBJECT));
    RunResult oracle = Targets.find(results, c -> c.name().startsWith("oracle"));
    RunResult best = results.stream()
        .filter(r -> r.contender().group() == Contender.Group.NETFLIX)
        .max(java.util.Comparator.comparingDouble(RunResult::goodput)).orElseThrow();
    return String.format(Locale.ROOT, "**Verdict:** `gradient` served %.3f of capacity (oracle"
            + " %.3f, best Netflix %.3f by %s) with a NORMAL device p99 of %.1f ms (oracle %.1f,"
            + " %s %.1f); it matches or beats %s Netflix contenders on device p99 and %s end to"
            + " end.",
        subject.goodput(), oracle.goodput(), best.goodput(), best.contender().name(),
        subject.deviceMillis(Priority.NORMAL, 0.99), oracle.deviceMillis(Priority.NORMAL, 0.99),
        best.contender().name(), best.deviceMillis(Priority.NORMAL, 0.99),
        netflixScore(results, false), netflixScore(results, true));
  }

  private static String settle(RunResult r) {
    List<Double> settle = r.settleSeconds();
    if (settle.isEmpty()) {
      return "—";
    }
    return settle.stream().map(v -> v.isNaN() ? "never" : String.format(Locale.ROOT, "%.1f", v))
        .collect(Collectors.joining(", "));
  }

  private static String reasons() {
    return java.util.Arrays.stream(Reason.values()).map(Reason::name)
        .collect(Collectors.joining(", "));
  }
}
