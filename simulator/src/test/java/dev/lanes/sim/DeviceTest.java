package dev.lanes.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceTest {

  private final Simulation sim = new Simulation(1);
  private final List<Long> done = new ArrayList<>();

  private void submit(Device device, int n) {
    for (int i = 0; i < n; i++) {
      device.submit(() -> done.add(sim.now()));
    }
  }

  @Test
  void aQueueingDeviceServesPAtOnceAndQueuesTheRest() {
    Device device = new QueueingDevice(sim, 2, ServiceTime.constant(0.010));
    submit(device, 5);
    sim.runUntil(Simulation.seconds(1));
    assertThat(done).containsExactly(10_000_000L, 10_000_000L, 20_000_000L, 20_000_000L,
        30_000_000L);
    assertThat(device.capacityPerSecond()).isEqualTo(200.0);
  }

  @Test
  void raisingParallelismStartsQueuedRequestsAtOnce() {
    QueueingDevice device = new QueueingDevice(sim, 1, ServiceTime.constant(0.010));
    submit(device, 3);
    sim.at(Simulation.seconds(0.005), () -> device.setParallelism(3));
    sim.runUntil(Simulation.seconds(1));
    assertThat(done).containsExactly(10_000_000L, 15_000_000L, 15_000_000L);
    assertThat(device.occupancy()).isZero();
  }

  @Test
  void aProcessorSharingDeviceSlowsEveryoneDownPastP() {
    Device device = new ProcessorSharingDevice(sim, 2, ServiceTime.constant(0.010));
    submit(device, 4);
    sim.runUntil(Simulation.seconds(1));
    // Four jobs of 10 ms on two cores: each runs at half speed and all finish at 20 ms.
    assertThat(done).hasSize(4).allSatisfy(t -> assertThat(t).isBetween(19_999_000L, 20_001_000L));
  }

  @Test
  void aProcessorSharingDeviceRunsAtFullSpeedUpToP() {
    Device device = new ProcessorSharingDevice(sim, 4, ServiceTime.constant(0.010));
    submit(device, 2);
    sim.at(Simulation.seconds(0.005), () -> device.submit(() -> done.add(sim.now())));
    sim.runUntil(Simulation.seconds(1));
    assertThat(done).hasSize(3);
    assertThat(done.get(0)).isBetween(9_999_000L, 10_001_000L);
    assertThat(done.get(2)).isBetween(14_999_000L, 15_001_000L);
  }

  @Test
  void aDeviceTellsItsListenersWhenPChanges() {
    QueueingDevice device = new QueueingDevice(sim, 16, ServiceTime.constant(0.010));
    List<Integer> heard = new ArrayList<>();
    device.onParallelismChange(heard::add);
    Change.parallelism(1, 8).applyTo(device);
    Change.serviceTimeTimes(2, 2).applyTo(device);
    Change.parallelism(3, 16).applyTo(device);
    assertThat(heard).containsExactly(8, 16);
  }

  @Test
  void serviceTimesHaveTheMeanTheySay() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (ServiceTime s : List.of(ServiceTime.logNormal(0.005, 0.5),
        ServiceTime.pareto(0.005, 2.5), ServiceTime.constant(0.005).times(2))) {
      double sum = 0;
      int n = 200_000;
      for (int i = 0; i < n; i++) {
        sum += s.sample(random);
      }
      assertThat(sum / n / 1e9).as(s.toString()).isCloseTo(s.meanSeconds(),
          org.assertj.core.api.Assertions.within(s.meanSeconds() * 0.05));
    }
  }
}
