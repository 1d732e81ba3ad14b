package dev.lanes.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/** What every modelled device has: a simulation, a random stream, a parallelism, a service time. */
abstract class ModelledDevice implements Device {

  final Simulation sim;
  final SplittableRandom random;
  int parallelism;
  private ServiceTime serviceTime;
  private final List<IntConsumer> parallelismListeners = new ArrayList<>();

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
  public final void setParallelism(int parallelism) {
    beforeParallelismChange();
    this.parallelism = parallelism;
    afterParallelismChange();
    for (IntConsumer listener : parallelismListeners) {
      listener.accept(parallelism);
    }
  }

  @Override
  public void onParallelismChange(IntConsumer listener) {
    parallelismListeners.add(listener);
  }

  /** Settles what the device owes at the old parallelism. */
  void beforeParallelismChange() {}

  /** Starts what the new parallelism allows. */
  void afterParallelismChange() {}

  @Override
  public ServiceTime serviceTime() {
    return serviceTime;
  }

  @Override
  public void setServiceTime(ServiceTime serviceTime) {
    this.serviceTime = serviceTime;
  }
}
