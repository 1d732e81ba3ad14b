package dev.lanes.sim;

import java.util.SplittableRandom;

/** What every modelled device has: a simulation, a random stream, a parallelism, a service time. */
abstract class ModelledDevice implements Device {

  final Simulation sim;
  final SplittableRandom random;
  int parallelism;
  private ServiceTime serviceTime;

  ModelledDevice(Simulation sim, int parallelism, ServiceTime serviceTime) {
    this.sim = sim;
    this.random = sim.newRandom();
    this.parallelism = parallelism;
    this.serviceTime = serviceTime;
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public ServiceTime serviceTime() {
    return serviceTime;
  }

  @Override
  public void setServiceTime(ServiceTime serviceTime) {
    this.serviceTime = serviceTime;
  }
}
