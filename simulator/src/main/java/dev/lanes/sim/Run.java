package dev.lanes.sim;

/**
 * One scenario, one contender, one seed: builds the device and the admission, starts the loads,
 * applies the changes on time, samples the limit every 100 ms, and runs to the end.
 *
 * <pre>{@code
 * RunResult result = new Run(Scenarios.byName("steady-overload"), Contender.lanes("gradient"), 1)
 *     .execute();
 * }</pre>
 */
public final class Run {

  private final Scenario scenario;
  private final Contender contender;
  private final long seed;

  public Run(Scenario scenario, Contender contender, long seed) {
    this.scenario = scenario;
    this.contender = contender;
    this.seed = seed;
  }

  public RunResult execute() {
    Simulation sim = new Simulation(seed);
    Device device = scenario.device().create(sim);
    Admission admission = contender.admission(sim, device, scenario);
    RunMetrics metrics = new RunMetrics(sim);
    Traffic traffic = new Traffic(sim, device, admission, metrics, scenario.timeouts());
    for (Load load : scenario.loads()) {
      load.start(traffic);
    }
    for (Change change : scenario.changes()) {
      sim.at(Simulation.seconds(change.atSeconds()), () -> change.applyTo(device));
    }
    long end = Simulation.seconds(scenario.seconds());
    Runnable[] sample = new Runnable[1];
    // Each sample stands for the 100 ms that follow it, so the last one is 100 ms before the end.
    sample[0] = () -> {
      metrics.sample(admission.limit(), device.parallelism(), device.capacityPerSecond());
      if (sim.now() + RunMetrics.SAMPLE_NANOS < end) {
        sim.after(RunMetrics.SAMPLE_NANOS, sample[0]);
      }
    };
    sim.at(0, sample[0]);
    sim.runUntil(end);
    return new RunResult(scenario, contender, metrics);
  }
}
