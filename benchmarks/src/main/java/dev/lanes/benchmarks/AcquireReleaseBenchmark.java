package dev.lanes.benchmarks;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import dev.lanes.limit.WindowConfig;
import dev.lanes.resilience4j.LaneBulkhead;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One permit taken and given back, uncontended by the limit (every limiter has room for all
 * threads), so what is measured is the cost of the bookkeeping itself. Every contender runs in the
 * same JVM and the same run; {@link BenchmarkReport} turns the run into ratios.
 *
 * <pre>
 * mvn -q -pl benchmarks -am -DskipTests package
 * java -Djmh.ignoreLock=true -jar benchmarks/target/benchmarks.jar AcquireRelease -t 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AcquireReleaseBenchmark {

  private static final int ROOM = 1_000;

  private final Semaphore floorSemaphore = new Semaphore(ROOM);
  private final Semaphore semaphore = new Semaphore(ROOM);
  private final Bulkhead bulkhead = Bulkhead.of("benchmark", BulkheadConfig.custom()
      .maxConcurrentCalls(ROOM).maxWaitDuration(Duration.ZERO).build());
  private final Limiter<Void> netflixDefault = SimpleLimiter.newBuilder().build();
  private final Limiter<Void> netflixGradient2 = SimpleLimiter.newBuilder()
      .limit(WindowedLimit.newBuilder().build(Gradient2Limit.newDefault())).build();
  // A fixed algorithm keeps the limit at ROOM, so no call is ever refused; the window closes
  // every 100 ms as in production, and, the lane being hot, times one call in k.
  private final Lane lane = Lane.builder("benchmark")
      .algorithm(new FixedLimit()).limits(1, ROOM, ROOM).build();
  // The same lane timing every call, as lanes did before sampling: two clock reads and a
  // histogram increment per call, the histogram's bucket shared by every thread.
  private final Lane laneTimingEveryCall = Lane.builder("benchmark-every-call")
      .algorithm(new FixedLimit()).limits(1, ROOM, ROOM)
      .window(WindowConfig.defaults().timedCalls(Integer.MAX_VALUE)).build();
  private final Lane laneWithoutWindow = Lane.builder("benchmark-bare")
      .algorithm(new FixedLimit()).limits(1, ROOM, ROOM)
      .window(WindowConfig.disabled()).build();
  // A lane like {@code lane}, behind Resilience4j's Bulkhead interface and used as {@code bulkhead} is.
  private final Bulkhead laneBulkhead = LaneBulkhead.of(Lane.builder("benchmark-bulkhead")
      .algorithm(new FixedLimit()).limits(1, ROOM, ROOM).maxWait(Duration.ZERO).build());

  /** The floor: what any limiter that times its calls must at least do. */
  @Benchmark
  public long floor() {
    long start = System.nanoTime();
    if (!floorSemaphore.tryAcquire()) {
      throw new IllegalStateException("no permit");
    }
    floorSemaphore.release();
    return System.nanoTime() - start;
  }

  @Benchmark
  public void semaphore() {
    if (!semaphore.tryAcquire()) {
      throw new IllegalStateException("no permit");
    }
    semaphore.release();
  }

  @Benchmark
  public void resilience4jBulkhead() {
    if (!bulkhead.tryAcquirePermission()) {
      throw new IllegalStateException("no permit");
    }
    bulkhead.onComplete();
  }

  @Benchmark
  public void laneBulkhead() {
    if (!laneBulkhead.tryAcquirePermission()) {
      throw new IllegalStateException("no permit");
    }
    laneBulkhead.onComplete();
  }

  @Benchmark
  public void netflixSimpleLimiter() {
    netflixDefault.acquire(null).orElseThrow().onSuccess();
  }

  @Benchmark
  public void netflixGradient2Windowed() {
    netflixGradient2.acquire(null).orElseThrow().onSuccess();
  }

  @Benchmark
  public void lanes() {
    Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    permit.close();
  }

  @Benchmark
  public void lanesTimingEveryCall() {
    Permit permit = laneTimingEveryCall.tryAcquire(Priority.NORMAL).orElseThrow();
    permit.close();
  }

  @Benchmark
  public void lanesWithoutWindow() {
    Permit permit = laneWithoutWindow.tryAcquire(Priority.NORMAL).orElseThrow();
    permit.close();
  }
}
