package dev.lanes.sim;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.util.Comparator;
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
            + " seed reaches: they move by a few tenths of a percent from run to run. The command"
            + " shows its progress through the %d runs, and says how long they took.%n%n", seed,
            results.values().stream().mapToInt(List::size).sum()));
    md.append("**How to read it.** *Goodput* is requests served before their caller gave up, as a")
        .append(" fraction of what the device could complete. *Device* latency is from the start")
        .append(" of service to completion, the queue inside the device included; *end-to-end*")
        .append(" adds the wait in the lane. Every lane queues up to 1,000 waiters the way lanes")
        .append(" do by default (`QueueOrder.ADAPTIVE`: first come, first served while the queue")
        .append(" drains, newest first while it stands). The *oracle* is a fixed limit at the")
        .append(" device's true parallelism P (it follows P when P changes) with a plain FIFO")
        .append(" queue of 1,000: the best a limit can do, not the best a queue can. *Settle* is")
        .append(" the time from a change of P until the limit stays within ±25% of the new P.")
        .append(" Netflix limits run through `lanes-netflix`, each twice: with Netflix's defaults,")
        .append(" and with the same min/initial/max as the Lanes contenders. A contender *matches")
        .append(" or beats* another with goodput ≥ 0.98 × theirs and NORMAL p99 ≤ 1.05 × theirs;")
        .append(" the summary counts it, on the device's p99 and on the caller's (end-to-end), over")
        .append(" the nine scenarios on the default device. The three *device* scenarios are")
        .append(" modelled on an HDD, a SATA SSD and an NVMe drive.\n\n");

    md.append("## Summary\n\n| scenario | targets for `gradient` | NORMAL end-to-end p99, ms:")
        .append(" `gradient` (oracle; best Netflix) | matches or beats every Netflix contender,")
        .append(" device p99 | ... end-to-end p99 |\n|---|---|---|---|---|\n");
    int device = 0;
    int endToEnd = 0;
    int targeted = 0;
    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      Scenario s = entry.getKey();
      boolean inNine = isIn(s, Scenarios.targeted());
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
      String kind = inNine ? "" : isIn(s, Scenarios.devices()) ? " (device)" : " (extra)";
      md.append("| [").append(s.name()).append("](#").append(s.name()).append(")")
          .append(kind).append(" | ").append(targetText).append(" | ")
          .append(endToEndColumn(entry.getValue())).append(" | ")
          .append(yes(d, netflixScore(entry.getValue(), false))).append(" | ")
          .append(yes(e, netflixScore(entry.getValue(), true))).append(" |\n");
    }
    md.append(String.format(Locale.ROOT, "%n`gradient` matches or beats every Netflix contender"
        + " in **%d of %d** scenarios on the default device on device p99, and in **%d of %d**"
        + " on end-to-end p99.%n%n", device, targeted, endToEnd, targeted));

    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      scenario(md, entry.getKey(), entry.getValue());
    }
    return md.toString();
  }

  private static boolean isIn(Scenario scenario, List<Scenario> scenarios) {
    return scenarios.stream().anyMatch(s -> s.name().equals(scenario.name()));
  }

  private static String endToEndColumn(List<RunResult> results) {
    return ms(endToEndP99(subject(results))) + " (" + ms(endToEndP99(oracle(results))) + "; "
        + ms(endToEndP99(bestNetflix(results))) + ")";
  }

  private static double endToEndP99(RunResult r) {
    return r.endToEndMillis(Priority.NORMAL, 0.99);
  }

  private static RunResult subject(List<RunResult> results) {
    return Targets.find(results, c -> c.name().equals(Targets.SUBJECT));
  }

  private static RunResult oracle(List<RunResult> results) {
    return Targets.find(results, c -> c.name().startsWith("oracle"));
  }

  /** The Netflix contender with the best goodput. */
  private static RunResult bestNetflix(List<RunResult> results) {
    return results.stream()
        .filter(r -> r.contender().group() == Contender.Group.NETFLIX)
        .max(Comparator.comparingDouble(RunResult::goodput)).orElseThrow();
  }

  private static String netflixScore(List<RunResult> results, boolean endToEnd) {
    RunResult subject = subject(results);
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
    md.append(verdict(results)).append("\n\n");
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
            "| %s | %.3f | %.1f%% | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            r.contender().name().equals(Targets.SUBJECT) ? "**gradient**" : r.contender().name(),
            r.goodput(p), 100 * r.rejectionRate(p), r.late(p),
            ms(r.deviceMillis(p, 0.5)), ms(r.deviceMillis(p, 0.99)), ms(r.deviceMillis(p, 0.999)),
            ms(r.endToEndMillis(p, 0.5)), ms(r.endToEndMillis(p, 0.99)),
            ms(r.endToEndMillis(p, 0.999)),
            Double.isNaN(r.limitMean()) ? "—"
                : String.format(Locale.ROOT, "%.1f ± %.1f", r.limitMean(), r.limitStdDev()),
            settle(r)));
      }
      md.append("\n");
    }
    md.append("Latencies in ms. *Refused* counts every reason (").append(reasons())
        .append("); *late* requests were served after their caller gave up.\n\n");
  }

  /** A latency in ms: one decimal, or two below 1 ms, where one would say little. */
  private static String ms(double millis) {
    return String.format(Locale.ROOT, millis < 1 ? "%.2f" : "%.1f", millis);
  }

  private static String verdict(List<RunResult> results) {
    RunResult subject = subject(results);
    RunResult oracle = oracle(results);
    RunResult best = bestNetflix(results);
    String bestName = best.contender().name();
    return String.format(Locale.ROOT, "**Verdict:** `gradient` served %.3f of capacity (oracle"
            + " %.3f, best Netflix %.3f by %s) with a NORMAL device p99 of %s ms (oracle %s, %s"
            + " %s) and a NORMAL end-to-end p99 of %s ms (oracle %s, %s %s); it matches or beats"
            + " %s Netflix contenders on device p99 and %s end to end.",
        subject.goodput(), oracle.goodput(), best.goodput(), bestName,
        ms(subject.deviceMillis(Priority.NORMAL, 0.99)),
        ms(oracle.deviceMillis(Priority.NORMAL, 0.99)), bestName,
        ms(best.deviceMillis(Priority.NORMAL, 0.99)),
        ms(endToEndP99(subject)), ms(endToEndP99(oracle)), bestName, ms(endToEndP99(best)),
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
