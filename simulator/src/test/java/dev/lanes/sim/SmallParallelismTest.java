package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Priority;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a device that serves one to four calls at once, one extra call is a queue of a quarter to a
 * whole of its parallelism. The default algorithm must keep the limit at P or P + 1 there, not
 * at twice P, whatever limit the lane starts from: here it starts at 2 × P, above the knee, so
 * its first windows are congested and its first baseline holds a queue.
 */
class SmallParallelismTest {

  @ParameterizedTest(name = "P = {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void gradientHoldsTheLimitAtPOrPPlusOne(int parallelism) {
    double service = 0.005;
    Scenario scenario = Scenario.named("small-p")
        .describedAs("P = " + parallelism + " at twice its capacity")
        .device(Scenario.DeviceSpec.queueing(parallelism, ServiceTime.logNormal(service, 0.5)))
        .limits(1, 2 * parallelism, 64)
        .load(Load.poisson(Priority.NORMAL, 2 * parallelism / service))
        .seconds(40).build();
    RunResult result = new Run(scenario, Contender.lanes("gradient"), Scoreboard.SEED).execute();

    int[] limits = result.limits(5, 40);
    long atPOrPPlusOne = Arrays.stream(limits)
        .filter(l -> l == parallelism || l == parallelism + 1).count();
    // Probes, about one window in a hundred, go below P on purpose.
    assertThat((double) atPOrPPlusOne / limits.length)
        .as("share of limit samples at P or P + 1, seed %d: %s", Scoreboard.SEED,
            Arrays.toString(limits))
        .isGreaterThanOrEqualTo(0.9);
    assertThat(result.goodput()).as("goodput, seed %d", Scoreboard.SEED).isGreaterThan(0.9);
  }
}
