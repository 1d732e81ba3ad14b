package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard's targets for the default {@code gradient} algorithm, at the published seed. The
 * simulator is deterministic, so these are exact checks, not statistics: the same seed gives the
 * same numbers on any machine. The device scenarios run only the contenders their targets name,
 * {@code gradient} and the oracle, which keeps the NVMe one (1.3 million requests a simulated
 * second) to two runs. {@link TargetSweep} checks the same targets at other seeds.
 */
class ScoreboardTest {

  @Test
  void gradientMeetsItsTargets() {
    List<String> missed = new ArrayList<>();
    for (Map<Scenario, List<RunResult>> results : List.of(nine(), devices())) {
      for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
        for (Targets.Check check : Targets.checks(entry.getKey(), entry.getValue())) {
          if (!check.met()) {
            missed.add(entry.getKey().name() + ": " + check);
          }
        }
      }
    }
    assertThat(missed).as("targets missed, seed %d", Scoreboard.SEED).isEmpty();
  }

  @Test
  void gradientMatchesOrBeatsEveryNetflixContenderEndToEndInMostScenarios() {
    int beaten = 0;
    for (List<RunResult> results : nine().values()) {
      beaten += Targets.beatsEveryNetflix(results, true) ? 1 : 0;
    }
    assertThat(beaten)
        .as("scenarios where gradient matches or beats every Netflix contender (end-to-end p99)")
        .isGreaterThanOrEqualTo(Targets.MIN_BEATEN);
  }

  private static Map<Scenario, List<RunResult>> nine() {
    return Scoreboard.run(Scenarios.targeted(), TargetSweep.withNetflix(), Scoreboard.SEED);
  }

  private static Map<Scenario, List<RunResult>> devices() {
    return Scoreboard.run(Scenarios.devices(), TargetSweep.gradientAndOracle(), Scoreboard.SEED);
  }
}
