package dev.lanes.sim;

/**
 * A modelled resource that serves requests in virtual time. Its parallelism and service time can
 * change during a run, which is how scenarios drop capacity or shift latency.
 *
 * <pre>{@code
 * Device disk = new QueueingDevice(sim, 16, ServiceTime.logNormal(0.005, 0.5));
 * disk.submit(() -> System.out.println("served at " + sim.now()));
 * }</pre>
 */
public interface Device {

  /** Starts serving one request; {@code done} runs when it has been served. */
  void submit(Runnable done);

  /** How many requests it serves at once without slowing any of them: the oracle's limit. */
  int parallelism();

  void setParallelism(int parallelism);

  /** Tells {@code listener} the new parallelism each time it changes: how the oracle follows P. */
  void onParallelismChange(java.util.function.IntConsumer listener);

  ServiceTime serviceTime();

  void setServiceTime(ServiceTime serviceTime);

  /** Requests per second it completes when fully busy. */
  default double capacityPerSecond() {
    return parallelism() / serviceTime().meanSeconds();
  }
}
