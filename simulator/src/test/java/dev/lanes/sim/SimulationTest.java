package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {

  @Test
  void runsEventsInTimeOrderAndTiesInTheOrderTheyWereScheduled() {
    Simulation sim = new Simulation(1);
    List<String> order = new ArrayList<>();
    sim.at(30, () -> order.add("c"));
    sim.at(10, () -> order.add("a"));
    sim.at(10, () -> order.add("b"));
    Simulation.Event cancelled = sim.at(20, () -> order.add("never"));
    sim.at(15, () -> sim.after(0, () -> order.add("a2")));
    assertThat(cancelled.cancel()).isTrue();
    sim.runUntil(100);
    assertThat(order).containsExactly("a", "b", "a2", "c");
    assertThat(sim.now()).isEqualTo(100);
  }

  @Test
  void theSchedulerAndTickerOfALaneRunOnVirtualTime() {
    Simulation sim = new Simulation(1);
    List<Long> fired = new ArrayList<>();
    sim.scheduler().schedule(() -> fired.add(sim.ticker().nanoTime()), 500);
    dev.lanes.Cancellable never =
        sim.scheduler().schedule(() -> fired.add(-1L), 700);
    never.cancel();
    sim.runUntil(1_000);
    assertThat(fired).containsExactly(500L);
  }

  @Test
  void theSameSeedGivesTheSameRunAndAnotherSeedAnotherRun() {
    Scenario scenario = Scenario.named("small")
        .describedAs("a short overload")
        .device(Scenario.DeviceSpec.queueing(4, ServiceTime.logNormal(0.002, 0.5)))
        .load(Load.poisson(Priority.NORMAL, 4_000))
        .seconds(3).build();
    RunResult first = new Run(scenario, Contender.lanes("gradient"), 7).execute();
    RunResult again = new Run(scenario, Contender.lanes("gradient"), 7).execute();
    RunResult other = new Run(scenario, Contender.lanes("gradient"), 8).execute();
    assertThat(again.goodput()).isEqualTo(first.goodput());
    assertThat(again.endToEndMillis(Priority.NORMAL, 0.99))
        .isEqualTo(first.endToEndMillis(Priority.NORMAL, 0.99));
    assertThat(again.limitMean()).isEqualTo(first.limitMean());
    assertThat(other.offered(Priority.NORMAL)).isNotEqualTo(first.offered(Priority.NORMAL));
  }

  @Test
  void lateRequestsAreNotGoodput() {
    Scenario scenario = Scenario.named("slow")
        .describedAs("a device slower than the callers' patience")
        .device(Scenario.DeviceSpec.queueing(1, ServiceTime.constant(0.3)))
        .load(Load.poisson(Priority.NORMAL, 20))
        .timeout(Priority.NORMAL, Duration.ofMillis(200))
        .seconds(10).build();
    RunResult result = new Run(scenario, Contender.noLimit(), 1).execute();
    assertThat(result.goodput()).isZero();
    assertThat(result.late(Priority.NORMAL)).isPositive();
  }
}
