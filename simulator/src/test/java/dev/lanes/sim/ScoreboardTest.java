package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard's targets for the default {@code gradient} algorithm. The simulator is
 * deterministic, so these are exact checks, not statistics: the same seed gives the same numbers
 * on any machine.
 */
class ScoreboardTest {

  @Test
  void gradientMeetsItsTargets() {
    List<Contender> contenders = Contender.all().stream()
        .filter(c -> c.name().equals("gradient") || c.group() == Contender.Group.NETFLIX
            || c.name().startsWith("oracle"))
        .collect(Collectors.toList());
    Map<Scenario, List<RunResult>> results =
        Scoreboard.run(Scenarios.targeted(), contenders, Scoreboard.SEED);

    List<String> missed = new ArrayList<>();
    int beaten = 0;
    for (Map.Entry<Scenario, List<RunResult>> entry : results.entrySet()) {
      for (Targets.Check check : Targets.checks(entry.getKey(), entry.getValue())) {
        if (!check.met()) {
          missed.add(entry.getKey().name() + ": " + check);
        }
      }
      if (Targets.beatsEveryNetflix(entry.getValue(), true)) {
        beaten++;
      }
    }
    assertThat(missed).as("targets missed, seed %d", Scoreboard.SEED).isEmpty();
    assertThat(beaten)
        .as("scenarios where gradient matches or beats every Netflix contender (end-to-end p99)")
        .isGreaterThanOrEqualTo(7);
  }
}
