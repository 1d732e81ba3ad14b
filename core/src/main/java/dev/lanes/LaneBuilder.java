package dev.lanes;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithmProvider;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.limit.WindowConfig;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Configures and builds a {@link Lane}. Every setting has a default; {@link #build()} checks them
 * together and names the setting that is wrong.
 *
 * <pre>{@code
 * Lane lane = Lane.builder("nvme0")
 *     .limits(4, 16, 128)                 // min, initial, max
 *     .algorithm("gradient")
 *     .maxWait(Duration.ofMillis(200))
 *     .maxQueued(1_000)
 *     .backgroundReserve(2)               // scans never take the last two permits
 *     .build();
 * }</pre>
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>limits</td><td>min 2, initial 8, max 64 (the sizes of an unknown device)</td></tr>
 *   <tr><td>algorithm</td><td>{@code "gradient"}, from {@code lanes-algorithms}</td></tr>
 *   <tr><td>maxWait</td><td>1 second</td></tr>
 *   <tr><td>maxQueued</td><td>1,000</td></tr>
 *   <tr><td>queueOrder</td><td>{@link QueueOrder#ADAPTIVE}: FIFO while the queue drains,
 *       newest first while it stands</td></tr>
 *   <tr><td>backgroundReserve</td><td>0</td></tr>
 *   <tr><td>criticalCeiling</td><td>none ({@code Integer.MAX_VALUE})</td></tr>
 *   <tr><td>window</td><td>{@link WindowConfig#defaults()}: p99, 100 samples, 100 ms to 2 s</td></tr>
 *   <tr><td>overloadOn</td><td>{@link TimeoutException}, {@link InterruptedIOException} (socket
 *       timeouts) and {@link LaneRejectedException} from a lane further down</td></tr>
 * </table>
 */
public final class LaneBuilder {

  /** The algorithm a lane gets when none is named. */
  public static final String DEFAULT_ALGORITHM = "gradient";

  private final String name;
  private Supplier<LimitAlgorithm> algorithm;
  private int min = 2;
  private int initial = 8;
  private int max = 64;
  private boolean limitsSet;
  private Duration maxWait = Duration.ofSeconds(1);
  private int maxQueued = 1_000;
  private QueueOrder queueOrder = QueueOrder.ADAPTIVE;
  private int backgroundReserve;
  private int criticalCeiling = Integer.MAX_VALUE;
  private WindowConfig window = WindowConfig.defaults();
  private Ticker ticker = Ticker.system();
  private LaneScheduler scheduler;
  private Executor callbackExecutor;
  private Predicate<Throwable> overloadOn = LaneBuilder::isOverloadByDefault;
  private final List<LaneListener> listeners = new ArrayList<>();

  LaneBuilder(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("lane name must not be blank, was '" + name + "'");
    }
    this.name = name;
  }

  /**
   * Uses {@code algorithm} to move the limit. The instance belongs to the lane built from here;
   * build other lanes with their own instances, or name the algorithm instead.
   */
  public LaneBuilder algorithm(LimitAlgorithm algorithm) {
    Objects.requireNonNull(algorithm, "algorithm");
    this.algorithm = () -> algorithm;
    return this;
  }

  /**
   * Uses the algorithm registered under {@code name} ({@code "gradient"}, {@code "aimd"},
   * {@code "vegas"}, {@code "fixed"}, ...); each lane built gets a fresh instance.
   *
   * @throws IllegalArgumentException if no provider on the class path has that name
   */
  public LaneBuilder algorithm(String name) {
    Objects.requireNonNull(name, "algorithm name");
    LimitAlgorithmProvider provider = LimitAlgorithms.provider(name).orElseThrow(() ->
        new IllegalArgumentException("algorithm '" + name + "' is not on the class path; known: "
            + LimitAlgorithms.names()));
    this.algorithm = provider::create;
    return this;
  }

  /**
   * Sets the bounds and the starting point of the limit. The lane clamps whatever its algorithm
   * proposes to {@code [min, max]}. Without this call a lane has the bounds {@code [2, 64]} and
   * starts at its algorithm's {@link LimitAlgorithm#initialLimit() own starting point}, or at 8
   * if the algorithm has none.
   */
  public LaneBuilder limits(int min, int initial, int max) {
    this.min = min;
    this.initial = initial;
    this.max = max;
    this.limitsSet = true;
    return this;
  }

  /** How long {@link Lane#acquire(Priority)} and {@link Lane#call} wait for a permit. */
  public LaneBuilder maxWait(Duration maxWait) {
    this.maxWait = Lane.checkWait(maxWait);
    return this;
  }

  /** How many calls may wait at once, every priority together; 0 means nobody waits. */
  public LaneBuilder maxQueued(int maxQueued) {
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must be at least 0, was " + maxQueued);
    }
    this.maxQueued = maxQueued;
    return this;
  }

  /** Which waiter of one priority gets a freed permit first. */
  public LaneBuilder queueOrder(QueueOrder order) {
    this.queueOrder = Objects.requireNonNull(order, "queueOrder");
    return this;
  }

  /** Permits that {@link Priority#BACKGROUND} calls may never take; must be less than max. */
  public LaneBuilder backgroundReserve(int permits) {
    this.backgroundReserve = permits;
    return this;
  }

  /**
   * A hard cap on total in-flight, {@link Priority#CRITICAL} calls included; at least max. Without
   * it, critical calls are never refused.
   */
  public LaneBuilder criticalCeiling(int permits) {
    this.criticalCeiling = permits;
    return this;
  }

  /** How latency is cut into windows for the algorithm. */
  public LaneBuilder window(WindowConfig window) {
    this.window = Objects.requireNonNull(window, "window");
    return this;
  }

  /** The clock; pass a virtual one in simulations. */
  public LaneBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Runs the timeouts of asynchronous waiters; pass a virtual one in simulations. */
  public LaneBuilder scheduler(LaneScheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * Where the lane completes a waiting caller's future when it cannot do so on the thread that
   * freed the permit without making someone else wait: when one release or limit change serves
   * several asynchronous waiters, all but one are told here, so that one caller's callback never
   * holds up another's permit. By default a shared pool of daemon threads that grows as callbacks
   * block; a simulation passes {@code Runnable::run} to keep everything on its one thread.
   */
  public LaneBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
    return this;
  }

  /**
   * Which failures of a task run by {@link Lane#call} mean overload and count as drops. Other
   * failures release the permit without a sample.
   */
  public LaneBuilder overloadOn(Predicate<Throwable> isOverload) {
    this.overloadOn = Objects.requireNonNull(isOverload, "overloadOn");
    return this;
  }

  /** Adds a listener; see {@link LaneListener}. */
  public LaneBuilder listener(LaneListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Builds the lane.
   *
   * @throws IllegalArgumentException naming the setting, if the settings do not fit together
   * @throws IllegalStateException if no algorithm was given and {@code lanes-algorithms} is not on
   *     the class path
   */
  public Lane build() {
    check(min >= 1, "limits: min must be at least 1, was " + min);
    check(max >= min, "limits: max must be at least min (" + min + "), was " + max);
    check(initial >= min && initial <= max,
        "limits: initial must be within [min, max] = [" + min + ", " + max + "], was " + initial);
    check(backgroundReserve >= 0 && backgroundReserve < max,
        "backgroundReserve must be at least 0 and below max (" + max + "), was "
            + backgroundReserve);
    check(criticalCeiling >= max,
        "criticalCeiling must be at least max (" + max + "), was " + criticalCeiling);
    return new Lane(this, resolveAlgorithm());
  }

  private LimitAlgorithm resolveAlgorithm() {
    if (algorithm != null) {
      return Objects.requireNonNull(algorithm.get(), "the algorithm supplier returned null");
    }
    return LimitAlgorithms.create(DEFAULT_ALGORITHM).orElseThrow(() -> new IllegalStateException(
        "lane '" + name + "' has no algorithm and the default, '" + DEFAULT_ALGORITHM
            + "', is not on the class path: add the dependency dev.lanes:lanes-algorithms, or"
            + " call LaneBuilder.algorithm(...)"));
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static boolean isOverloadByDefault(Throwable t) {
    return t instanceof TimeoutException
        || t instanceof InterruptedIOException
        || t instanceof LaneRejectedException;
  }

  /**
   * The name of the lane this builds: lets a customizer that configures many lanes, such as
   * {@code LaneRegistry.Builder.customize}, tell them apart.
   */
  public String name() {
    return name;
  }

  // Read by Lane's constructor.
  int min() { return min; }
  int initial() { return initial; }
  int max() { return max; }
  boolean limitsSet() { return limitsSet; }
  Duration maxWait() { return maxWait; }
  int maxQueued() { return maxQueued; }
  QueueOrder queueOrder() { return queueOrder; }
  int backgroundReserve() { return backgroundReserve; }
  int criticalCeiling() { return criticalCeiling; }
  WindowConfig window() { return window; }
  Ticker ticker() { return ticker; }
  LaneScheduler scheduler() { return scheduler; }
  Executor callbackExecutor() { return callbackExecutor; }
  Predicate<Throwable> overloadOn() { return overloadOn; }
  List<LaneListener> listeners() { return listeners; }
}
