package dev.lanes.sim;

import dev.lanes.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The targets the scoreboard is held to, as checks on a scenario's results. The scoreboard prints
 * them; {@code ScoreboardTest} asserts them.
 *
 * <pre>{@code
 * for (Targets.Check c : Targets.checks(scenario, results)) System.out.println(c);
 * }</pre>
 */
public final class Targets {

  /** The contender the targets are set for. */
  public static final String SUBJECT = "gradient";

  /**
   * Of the nine scenarios on the default device, in how many at least the subject must match or
   * beat every Netflix contender on end-to-end p99.
   */
  public static final int MIN_BEATEN = 7;

  private Targets() {}

  /** One target: what it asks, what was measured, and whether it holds. */
  public record Check(String what, String measured, boolean met) {

    @Override
    public String toString() {
      return (met ? "met" : "MISSED") + ": " + what + " (" + measured + ")";
    }
  }

  /** The scenario-specific targets of the subject, if the scenario has any. */
  public static List<Check> checks(Scenario scenario, List<RunResult> results) {
    RunResult subject = find(results, c -> c.name().equals(SUBJECT));
    RunResult oracle = find(results, c -> c.group() == Contender.Group.REFERENCE
        && !c.name().equals("no limit"));
    List<Check> checks = new ArrayList<>();
    switch (scenario.name()) {
      case "steady-overload":
        checks.add(ratio("goodput >= 0.97 x the oracle's", subject.goodput(),
            oracle.goodput(), r -> r >= 0.97));
        checks.add(ratio("device p99 <= 1.5 x the oracle's",
            subject.deviceMillis(Priority.NORMAL, 0.99),
            oracle.deviceMillis(Priority.NORMAL, 0.99), r -> r <= 1.5));
        checks.add(ratio("end-to-end p99 <= 3 x the oracle's device p99",
            subject.endToEndMillis(Priority.NORMAL, 0.99),
            oracle.deviceMillis(Priority.NORMAL, 0.99), r -> r <= 3));
        break;
      case "hdd-like": {
        int p = initialParallelism(scenario);
        checks.add(new Check("goodput >= 0.9 of capacity", format(subject.goodput()),
            subject.goodput() >= 0.9));
        double mean = subject.limitMean();
        checks.add(new Check("limit mean within [P, 1.5 P] = [" + p + ", "
            + java.math.BigDecimal.valueOf(1.5 * p).stripTrailingZeros().toPlainString() + "]",
            format(mean), mean >= p && mean <= 1.5 * p));
        break;
      }
      case "sata-like": {
        List<Double> settle = subject.settleSeconds();
        double drop = settle.get(settle.size() - 1);
        checks.add(new Check("settles within +-25% of P within 3 s of the drop",
            "settled after " + format(drop) + " s", !Double.isNaN(drop) && drop <= 3.0));
        Change spell = scenario.changes().get(0);
        Change end = scenario.changes().get(1);
        int highest = subject.limitMax(spell.atSeconds(), end.atSeconds());
        int twiceP = 2 * spell.parallelism();
        checks.add(new Check("limit stays below 2 x P (" + twiceP + ") in the quiet spell",
            "highest " + highest, highest < twiceP));
        break;
      }
      case "nvme-like": {
        int p = initialParallelism(scenario);
        checks.add(ratio("goodput >= 0.98 x the oracle's", subject.goodput(), oracle.goodput(),
            r -> r >= 0.98));
        checks.add(ratio("limit sd <= 15% of P", subject.limitStdDev(), p, r -> r <= 0.15));
        break;
      }
      case "capacity-drop":
        List<Double> settle = subject.settleSeconds();
        boolean settled = settle.stream().allMatch(s -> !s.isNaN() && s <= 3.0);
        checks.add(new Check("settles within +-25% of the new P within 3 s of each change",
            "settled after " + settle + " s", settled));
        break;
      case "latency-shift":
        checks.add(ratio("goodput >= 0.9 x the oracle's", subject.goodput(), oracle.goodput(),
            r -> r >= 0.9));
        break;
      case "critical-under-scan": {
        double idle = idleP99Millis(scenario);
        checks.add(ratio("CRITICAL end-to-end p99 <= 1.5 x its p99 on an idle device",
            subject.endToEndMillis(Priority.CRITICAL, 0.99), idle, r -> r <= 1.5));
        double leftover = 1 - 0.1 - 0.4;
        checks.add(ratio("BACKGROUND goodput >= 70% of the capacity left over (0.5)",
            subject.goodput(Priority.BACKGROUND), leftover, r -> r >= 0.7));
        break;
      }
      case "light-load": {
        double idle = idleP99Millis(scenario);
        checks.add(new Check("no rejections", subject.rejectionRate(Priority.NORMAL) * 100
            + "% refused", subject.rejectionRate(Priority.NORMAL) == 0));
        checks.add(ratio("device p99 within 5% of the idle device's",
            subject.deviceMillis(Priority.NORMAL, 0.99), idle, r -> Math.abs(r - 1) <= 0.05));
        break;
      }
      default:
        break;
    }
    return checks;
  }

  /**
   * Whether the subject matches or beats {@code other}: goodput at least 0.98 × theirs and NORMAL
   * p99 at most 1.05 × theirs. {@code endToEnd} picks the p99: the caller's, wait in the lane
   * included, or the device's.
   */
  public static boolean matchesOrBeats(RunResult subject, RunResult other, boolean endToEnd) {
    double mine = endToEnd ? subject.endToEndMillis(Priority.NORMAL, 0.99)
        : subject.deviceMillis(Priority.NORMAL, 0.99);
    double theirs = endToEnd ? other.endToEndMillis(Priority.NORMAL, 0.99)
        : other.deviceMillis(Priority.NORMAL, 0.99);
    return subject.goodput() >= 0.98 * other.goodput() && mine <= 1.05 * theirs;
  }

  /** Whether the subject matches or beats every Netflix contender in this scenario. */
  public static boolean beatsEveryNetflix(List<RunResult> results, boolean endToEnd) {
    RunResult subject = find(results, c -> c.name().equals(SUBJECT));
    return results.stream().filter(r -> r.contender().group() == Contender.Group.NETFLIX)
        .allMatch(r -> matchesOrBeats(subject, r, endToEnd));
  }

  /**
   * The p99 of the scenario's device with nothing else on it: the p99 of its service time, from a
   * million seeded draws.
   */
  public static double idleP99Millis(Scenario scenario) {
    Simulation sim = new Simulation(Scoreboard.SEED);
    ServiceTime service = scenario.device().create(sim).serviceTime();
    SplittableRandom random = new SplittableRandom(Scoreboard.SEED);
    long[] draws = new long[1_000_000];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = service.sample(random);
    }
    java.util.Arrays.sort(draws);
    return draws[(int) (0.99 * draws.length) - 1] / 1e6;
  }

  /** The parallelism the scenario's device starts with. */
  static int initialParallelism(Scenario scenario) {
    return scenario.device().create(new Simulation(0)).parallelism();
  }

  private static String format(double value) {
    return String.format(java.util.Locale.ROOT, "%.3f", value);
  }

  static RunResult find(List<RunResult> results, Predicate<Contender> which) {
    return results.stream().filter(r -> which.test(r.contender())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no such contender in the results"));
  }

  private static Check ratio(String what, double value, double reference,
      java.util.function.DoublePredicate ok) {
    double r = value / reference;
    return new Check(what, String.format(java.util.Locale.ROOT, "%.3f vs %.3f: %.2f x",
        value, reference, r), ok.test(r));
  }
}
