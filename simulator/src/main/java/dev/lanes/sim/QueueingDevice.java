package dev.lanes.sim;

import java.util.ArrayDeque;

/**
 * A device with {@code P} servers, like a disk with P internal queues: up to P requests are
 * served at once, each for its own service time, and the rest wait inside the device, first come
 * first served. Past P, more concurrency adds only queueing.
 *
 * <pre>{@code
 * Device ssd = new QueueingDevice(sim, 16, ServiceTime.logNormal(0.005, 0.5));
 * }</pre>
 */
public final class QueueingDevice extends ModelledDevice {

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int busy;

  public QueueingDevice(Simulation sim, int parallelism, ServiceTime serviceTime) {
    super(sim, parallelism, serviceTime);
  }

  @Override
  public void submit(Runnable done) {
    waiting.add(done);
    startWhatFits();
  }

  @Override
  void afterParallelismChange() {
    startWhatFits();
  }

  /** Requests inside the device, served or waiting. */
  public int occupancy() {
    return busy + waiting.size();
  }

  private void startWhatFits() {
    while (busy < parallelism && !waiting.isEmpty()) {
      Runnable done = waiting.poll();
      busy++;
      sim.after(serviceTime().sample(random), () -> {
        busy--;
        done.run();
        startWhatFits();
      });
    }
  }

  @Override
  public String toString() {
    return "queueing device, P = " + parallelism + ", " + serviceTime();
  }
}
