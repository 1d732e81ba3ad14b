package dev.lanes.benchmarks;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import dev.lanes.micrometer.LaneMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What binding a lane to Micrometer costs its hot path: two identical lanes, one bound with
 * {@link LaneMetrics} and one not, measured <em>at the same time</em>. Each benchmark is a JMH
 * group: one set of threads works the bound lane while another works the unbound one, so both
 * see the same machine at the same moment, and a busy machine slows both alike. The binder
 * reads the lane's own counters when the registry scrapes, so a bound round trip should cost what
 * an unbound one does. A refusal is measured too: a bound lane has one more listener to tell.
 *
 * <pre>
 * mvn -q -pl benchmarks -am -DskipTests package
 * java -Djmh.ignoreLock=true -jar benchmarks/target/benchmarks.jar MetricsOverhead -tg 1,1
 * java -Djmh.ignoreLock=true -jar benchmarks/target/benchmarks.jar MetricsOverhead -tg 2,2
 * </pre>
 *
 * <p>{@code -tg 1,1} is one thread per lane, {@code -tg 2,2} two threads sharing each lane.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsOverheadBenchmark {

  private static final int ROOM = 1_000;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  // Room for every thread, so the round trips are never refused; the window records every
  // latency and closes every 100 ms, as in production.
  private final Lane unbound = roomy("unbound");
  private final Lane bound = bind(roomy("bound"));
  // Full lanes: one permit out of one, so every NORMAL tryAcquire is refused (LIMIT_REACHED).
  private final Lane fullUnbound = full("full-unbound");
  private final Lane fullBound = bind(full("full-bound"));

  @Benchmark
  @Group("roundTrip")
  @GroupThreads(1)
  public void roundTripUnbound() {
    Permit permit = unbound.tryAcquire(Priority.NORMAL).orElseThrow();
    permit.close();
  }

  @Benchmark
  @Group("roundTrip")
  @GroupThreads(1)
  public void roundTripBound() {
    Permit permit = bound.tryAcquire(Priority.NORMAL).orElseThrow();
    permit.close();
  }

  @Benchmark
  @Group("refused")
  @GroupThreads(1)
  public Optional<Permit> refusedUnbound() {
    return fullUnbound.tryAcquire(Priority.NORMAL);
  }

  @Benchmark
  @Group("refused")
  @GroupThreads(1)
  public Optional<Permit> refusedBound() {
    return fullBound.tryAcquire(Priority.NORMAL);
  }

  @TearDown
  public void checkTheMetersRead() {
    double admitted = registry.get("lanes.admitted").tag("lane", "bound")
        .tag("priority", "normal").functionCounter().count();
    double refused = registry.get("lanes.rejected").tag("lane", "full-bound")
        .tag("priority", "normal").tag("reason", "limit_reached").functionCounter().count();
    if (admitted + refused == 0) {
      throw new IllegalStateException("the bound lanes' meters read nothing");
    }
  }

  private static Lane roomy(String name) {
    return Lane.builder(name).algorithm(new FixedLimit()).limits(1, ROOM, ROOM).build();
  }

  private static Lane full(String name) {
    Lane lane = Lane.builder(name).algorithm(new FixedLimit()).limits(1, 1, 1).build();
    lane.tryAcquire(Priority.NORMAL).orElseThrow();     // held for the whole run
    return lane;
  }

  private Lane bind(Lane lane) {
    LaneMetrics.of(lane).bindTo(registry);
    return lane;
  }
}
