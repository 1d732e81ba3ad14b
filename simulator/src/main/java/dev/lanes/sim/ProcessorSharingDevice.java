package dev.lanes.sim;

import java.util.PriorityQueue;

/**
 * A device that shares P processors among every request in it, like a CPU-bound native library
 * running on P cores: with n requests inside, each progresses at {@code min(1, P / n)} of full
 * speed, so latency grows with concurrency past P instead of requests waiting in line.
 *
 * <pre>{@code
 * Device zlib = new ProcessorSharingDevice(sim, 4, ServiceTime.constant(0.002));
 * }</pre>
 *
 * <p>It keeps one virtual clock of work done per request; a request finishes when that clock has
 * advanced by its own work, so each event costs O(log n).
 */
public final class ProcessorSharingDevice extends ModelledDevice {

  private final PriorityQueue<Job> jobs = new PriorityQueue<>();
  private double work;
  private long lastAdvance;
  private Simulation.Event nextCompletion;

  public ProcessorSharingDevice(Simulation sim, int parallelism, ServiceTime serviceTime) {
    super(sim, parallelism, serviceTime);
  }

  @Override
  public void submit(Runnable done) {
    advance();
    jobs.add(new Job(work + serviceTime().sample(random), done));
    reschedule();
  }

  @Override
  void beforeParallelismChange() {
    advance();
  }

  @Override
  void afterParallelismChange() {
    reschedule();
  }


  private double rate() {
    return jobs.isEmpty() ? 0 : Math.min(1.0, (double) parallelism / jobs.size());
  }

  private void advance() {
    work += (sim.now() - lastAdvance) * rate();
    lastAdvance = sim.now();
  }

  private void reschedule() {
    if (nextCompletion != null) {
      nextCompletion.cancel();
      nextCompletion = null;
    }
    if (jobs.isEmpty()) {
      return;
    }
    double remaining = Math.max(0, jobs.peek().finishWork - work);
    nextCompletion = sim.after((long) Math.ceil(remaining / rate()), this::complete);
  }

  private void complete() {
    advance();
    while (!jobs.isEmpty() && jobs.peek().finishWork <= work + 0.5) {
      jobs.poll().done.run();
    }
    reschedule();
  }

  @Override
  public String toString() {
    return "processor-sharing device, P = " + parallelism + ", " + serviceTime();
  }

  private static final class Job implements Comparable<Job> {
    final double finishWork;
    final Runnable done;

    Job(double finishWork, Runnable done) {
      this.finishWork = finishWork;
      this.done = done;
    }

    @Override
    public int compareTo(Job other) {
      return Double.compare(finishWork, other.finishWork);
    }
  }
}
