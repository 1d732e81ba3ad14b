package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lanes.Priority;
import org.junit.jupiter.api.Test;

class LoadTest {

  private static RunResult run(Load load, double seconds) {
    Scenario s = Scenario.named("load")
        .describedAs("a fast device, to count what the load offers")
        .device(Scenario.DeviceSpec.queueing(1_000, ServiceTime.constant(0.001)))
        .load(load).seconds(seconds).build();
    return new Run(s, Contender.noLimit(), 5).execute();
  }

  @Test
  void poissonArrivesAtItsRate() {
    RunResult r = run(Load.poisson(Priority.NORMAL, 1_000), 20);
    // 20,000 expected; a Poisson count has a standard deviation of about 141.
    assertThat((double) r.offered(Priority.NORMAL)).isCloseTo(20_000, within(600.0));
  }

  @Test
  void onOffArrivesOnlyWhenOn() {
    RunResult r = run(Load.onOff(Priority.NORMAL, 2_000, 1, 3), 20);
    // On a quarter of the time at 2,000/s: 10,000 expected.
    assertThat((double) r.offered(Priority.NORMAL)).isCloseTo(10_000, within(500.0));
  }

  @Test
  void aClosedLoopKeepsOneRequestPerClient() {
    // 10 clients, 1 ms service, no think time: 10,000 requests a second.
    RunResult r = run(Load.closedLoop(Priority.BACKGROUND, 10, 0), 5);
    assertThat((double) r.offered(Priority.BACKGROUND)).isCloseTo(50_000, within(100.0));
  }
}
