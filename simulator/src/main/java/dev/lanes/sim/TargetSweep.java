package dev.lanes.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks the scoreboard's targets at several seeds, with only the contenders the targets need:
 * {@code gradient}, the oracle and, on the nine scenarios of the default device, the Netflix
 * limits it is compared with. One seed can be lucky; five rarely are.
 *
 * <pre>
 * mvn -q -pl simulator -am -DskipTests package exec:java \
 *     -Dexec.mainClass=dev.lanes.sim.TargetSweep -Dexec.args="20261127 1 2 3 4"
 * </pre>
 *
 * <p>It prints every target with what was measured, seed by seed, and exits with status 1 if
 * any was missed.
 */
public final class TargetSweep {

  private TargetSweep() {}

  public static void main(String[] args) {
    List<Long> seeds = new ArrayList<>();
    for (String arg : args) {
      seeds.add(Long.parseLong(arg));
    }
    if (seeds.isEmpty()) {
      seeds = List.of(Scoreboard.SEED, 1L, 2L, 3L, 4L);
    }
    boolean allMet = true;
    for (long seed : seeds) {
      long started = System.nanoTime();
      List<String> lines = new ArrayList<>();
      boolean met = true;
      Map<Scenario, List<RunResult>> nine;
      Map<Scenario, List<RunResult>> devices;
      int runs = Scenarios.targeted().size() * withNetflix().size()
          + Scenarios.devices().size() * gradientAndOracle().size();
      try (Progress progress = Progress.to(System.out, runs)) {
        nine = Scoreboard.run(Scenarios.targeted(), withNetflix(), seed, progress);
        devices = Scoreboard.run(Scenarios.devices(), gradientAndOracle(), seed, progress);
      }
      int beaten = 0;
      for (Map<Scenario, List<RunResult>> results : List.of(nine, devices)) {
        for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
          for (Targets.Check check : Targets.checks(entry.getKey(), entry.getValue())) {
            lines.add("  " + entry.getKey().name() + ": " + check);
            met &= check.met();
          }
        }
      }
      for (List<RunResult> results : nine.values()) {
        beaten += Targets.beatsEveryNetflix(results, true) ? 1 : 0;
      }
      boolean enough = beaten >= Targets.MIN_BEATEN;
      met &= enough;
      lines.add(String.format(Locale.ROOT, "  %s: matches or beats every Netflix contender on"
              + " end-to-end p99 in %d of %d scenarios (at least %d)", enough ? "met" : "MISSED",
          beaten, nine.size(), Targets.MIN_BEATEN));
      System.out.printf(Locale.ROOT, "seed %d: %s (%.0f s)%n%s%n", seed,
          met ? "every target met" : "TARGETS MISSED", (System.nanoTime() - started) / 1e9,
          lines.stream().collect(Collectors.joining("\n")));
      allMet &= met;
    }
    if (!allMet) {
      System.exit(1);
    }
  }

  /** The subject, the oracle and the Netflix contenders: what the nine scenarios' checks need. */
  static List<Contender> withNetflix() {
    return Contender.all().stream()
        .filter(c -> c.name().equals(Targets.SUBJECT) || c.group() == Contender.Group.NETFLIX
            || c.name().startsWith("oracle"))
        .collect(Collectors.toList());
  }

  /** The subject and the oracle: all the device scenarios' checks need. */
  static List<Contender> gradientAndOracle() {
    return List.of(Contender.lanes(Targets.SUBJECT), Contender.oracle());
  }
}
