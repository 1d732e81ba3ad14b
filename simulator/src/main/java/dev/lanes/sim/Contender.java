package dev.lanes.sim;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.QueueOrder;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import dev.lanes.netflix.NetflixLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One way to limit the device in a scenario: a Lanes algorithm, a Netflix limit run through the
 * adapter (with Netflix's defaults, or with Lanes' min and max), the oracle, or no limit at all.
 * Every contender but "no limit" runs on a real lane.
 *
 * <pre>{@code
 * for (Contender c : Contender.all()) {
 *   RunResult r = new Run(scenario, c, 42).execute();
 * }
 * }</pre>
 */
public final class Contender {

  /** Which column of the comparison a contender belongs to. */
  public enum Group { LANES, NETFLIX, REFERENCE }

  /** Builds what stands between the requests and the device, for one run. */
  @FunctionalInterface
  interface Factory {
    Admission create(Simulation sim, Device device, Scenario scenario);
  }

  private final String name;
  private final Group group;
  private final Factory factory;

  private Contender(String name, Group group, Factory factory) {
    this.name = name;
    this.group = group;
    this.factory = factory;
  }

  /** Every contender of the scoreboard, in its order. */
  public static List<Contender> all() {
    List<Contender> all = new ArrayList<>();
    all.add(lanes("gradient"));
    all.add(lanes("aimd"));
    all.add(lanes("vegas"));
    all.add(netflixDefaults("netflix-gradient2", Gradient2Limit::newDefault));
    all.add(netflixDefaults("netflix-vegas", VegasLimit::newDefault));
    all.add(netflixDefaults("netflix-aimd", () -> AIMDLimit.newBuilder().build()));
    all.add(netflixSized("netflix-gradient2 (Lanes' min/max)", s -> Gradient2Limit.newBuilder()
        .minLimit(s.min()).initialLimit(s.initial()).maxConcurrency(s.max()).build()));
    all.add(netflixSized("netflix-vegas (Lanes' min/max)", s -> VegasLimit.newBuilder()
        .initialLimit(s.initial()).maxConcurrency(s.max()).build()));
    all.add(netflixSized("netflix-aimd (Lanes' min/max)", s -> AIMDLimit.newBuilder()
        .minLimit(s.min()).initialLimit(s.initial()).maxLimit(s.max()).build()));
    all.add(oracle());
    all.add(noLimit());
    return all;
  }

  /** A Lanes algorithm by name, on a lane sized as the scenario says. */
  public static Contender lanes(String algorithm) {
    return of(algorithm, () -> LimitAlgorithms.create(algorithm).orElseThrow());
  }

  /**
   * A Lanes algorithm on a lane whose queue is served in {@code order}: the same limit, with the
   * queue in front of it managed another way. Named like {@code "gradient (FIFO)"}.
   */
  public static Contender lanes(String algorithm, QueueOrder order) {
    String name = algorithm + " (" + order + ")";
    return new Contender(name, Group.LANES, (sim, device, s) -> Admission.through(
        lane(name, sim, s, LimitAlgorithms.create(algorithm).orElseThrow())
            .limits(s.min(), s.initial(), s.max()).queueOrder(order).build()));
  }

  /** Any algorithm, built fresh for each run, on a lane sized as the scenario says. */
  public static Contender of(String name, Supplier<LimitAlgorithm> algorithm) {
    return sized(name, Group.LANES, s -> algorithm.get());
  }

  /** A Netflix limit with Netflix's own defaults, unconstrained by the lane. */
  static Contender netflixDefaults(String name, Supplier<Limit> limit) {
    return new Contender(name, Group.NETFLIX, (sim, device, s) -> {
      Limit created = limit.get();
      return Admission.through(lane(name, sim, s, NetflixLimits.asAlgorithm(created))
          .limits(1, created.getLimit(), 10_000).build());
    });
  }

  /** A Netflix limit given the same min, initial and max as the Lanes contenders. */
  static Contender netflixSized(String name, Function<Scenario, Limit> limit) {
    return sized(name, Group.NETFLIX, s -> NetflixLimits.asAlgorithm(limit.apply(s)));
  }

  /** An algorithm on a lane with the scenario's min, initial and max. */
  private static Contender sized(String name, Group group,
      Function<Scenario, LimitAlgorithm> algorithm) {
    return new Contender(name, group, (sim, device, s) -> Admission.through(
        lane(name, sim, s, algorithm.apply(s)).limits(s.min(), s.initial(), s.max()).build()));
  }

  /**
   * A fixed limit at the device's true parallelism, following it the moment it changes. Its lane
   * keeps a plain FIFO queue: it is the oracle of the limit, not of the queue. It measures no
   * windows, since it has nothing to learn from them.
   */
  public static Contender oracle() {
    return new Contender("oracle (fixed at true P)", Group.REFERENCE, (sim, device, s) -> {
      Clairvoyant clairvoyant = new Clairvoyant();
      Lane lane = lane("oracle", sim, s, clairvoyant)
          .limits(1, device.parallelism(), 100_000)
          .queueOrder(QueueOrder.FIFO)
          .window(WindowConfig.disabled())
          .build();
      device.onParallelismChange(clairvoyant::follow);
      return Admission.through(lane);
    });
  }

  /** The oracle's algorithm: it never decides anything, it is told P. */
  private static final class Clairvoyant implements LimitAlgorithm {
    private LimitControl lane;

    @Override
    public void attach(LimitControl lane) {
      this.lane = lane;
    }

    @Override
    public int update(WindowSummary window, int currentLimit) {
      return currentLimit;
    }

    void follow(int parallelism) {
      lane.propose(parallelism);
    }
  }

  /** Nothing between the requests and the device. */
  public static Contender noLimit() {
    return new Contender("no limit", Group.REFERENCE, (sim, device, s) -> Admission.unlimited());
  }

  private static LaneBuilder lane(String name, Simulation sim, Scenario s,
      LimitAlgorithm algorithm) {
    // Virtual time on one thread: every waiter is told on it, in order, never on a pool.
    return Lane.builder(name).algorithm(algorithm).ticker(sim.ticker())
        .scheduler(sim.scheduler()).callbackExecutor(Runnable::run)
        .backgroundReserve(s.backgroundReserve());
  }

  Admission admission(Simulation sim, Device device, Scenario scenario) {
    return factory.create(sim, device, scenario);
  }

  public String name() {
    return name;
  }

  public Group group() {
    return group;
  }

  @Override
  public String toString() {
    return name;
  }
}
