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

  /**
   * Events near and far (the event queue keeps the next two seconds in a ring of buckets and the
   * rest in a heap), many cancelled, some scheduled while others run: every live event runs once,
   * in (time, scheduling order), whatever structure held it.
   */
  @Test
  void keepsExactOrderAcrossTheRingAndTheHeapWithCancellations() {
    long seed = 20261127L;
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    Simulation sim = new Simulation(1);
    List<long[]> expected = new ArrayList<>();   // {time, sequence} of events that must run
    List<long[]> ran = new ArrayList<>();
    long[] sequence = {0};
    Runnable[] schedule = new Runnable[1];
    schedule[0] = () -> {
      // Delays from a microsecond to five seconds, many on the same nanosecond to test ties.
      long delay = switch (random.nextInt(4)) {
        case 0 -> random.nextLong(1_000, 1_000_000);
        case 1 -> Simulation.seconds(1);
        case 2 -> random.nextLong(1, 3) * 1_000_000_000L;
        default -> random.nextLong(0, Simulation.seconds(5));
      };
      long time = sim.now() + delay;
      long[] id = {time, sequence[0]++};
      Simulation.Event event = sim.after(delay, () -> {
        ran.add(id);
        if (ran.size() < 20_000) {
          schedule[0].run();
        }
      });
      if (random.nextInt(3) == 0) {
        sim.after(random.nextLong(0, delay), event::cancel);
        sequence[0]++;
      } else {
        expected.add(id);
      }
    };
    for (int i = 0; i < 2_000; i++) {
      schedule[0].run();
    }
    sim.runUntil(Long.MAX_VALUE / 2);
    for (int i = 1; i < ran.size(); i++) {
      long[] a = ran.get(i - 1);
      long[] b = ran.get(i);
      assertThat(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]))
          .as("seed %d: event %s ran after %s", seed, java.util.Arrays.toString(b),
              java.util.Arrays.toString(a)).isTrue();
    }
    assertThat(ran).as("seed %d", seed).hasSameSizeAs(expected);
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
