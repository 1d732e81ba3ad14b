package dev.lanes.resilience4j;

import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.LaneRejectedException;
import dev.lanes.Permit;
import dev.lanes.Priority;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.event.BulkheadEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallFinishedEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallPermittedEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallRejectedEvent;
import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.EventProcessor;
import io.github.resilience4j.core.exception.AcquirePermissionCancelledException;
import io.github.resilience4j.core.functions.CheckedSupplier;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A Resilience4j {@link Bulkhead} whose bound is a {@link Lane}'s adaptive limit: the decorators,
 * {@code Decorators} chains, events and metrics that work with a {@code SemaphoreBulkhead} work
 * with it, and the lane moves the bound with the tail latency it measures.
 *
 * <pre>{@code
 * Lane disk = lanes.forPath(Path.of("/data"));
 * Bulkhead requests = LaneBulkhead.of("disk", disk, Priority.NORMAL);
 * Bulkhead scans = LaneBulkhead.of("disk-scan", disk, Priority.BACKGROUND);
 *
 * Supplier<byte[]> read = Decorators.ofSupplier(() -> load(key))
 *     .withBulkhead(requests)
 *     .withRetry(Retry.ofDefaults("disk"))
 *     .decorate();
 * }</pre>
 *
 * <p>Several bulkheads may share one lane at different priorities, as above: a {@code NORMAL}
 * call is never held behind a {@code BACKGROUND} one, and a {@code CRITICAL} bulkhead never waits
 * for the limit (see {@link Priority}).
 *
 * <h2>How it keeps the {@code Bulkhead} contract</h2>
 *
 * <ul>
 *   <li>{@link #tryAcquirePermission()} waits at most the config's {@code maxWaitDuration} and
 *       returns false if no permit came; {@link #acquirePermission()} throws
 *       {@link BulkheadFullException} instead. An interrupt while waiting gives false, or
 *       {@link AcquirePermissionCancelledException}, with the thread's interrupt flag set again.
 *       A rejection carries no lane reason (Resilience4j's exception has no room for one); the
 *       lane counts it by reason in its {@link Lane#snapshot() snapshot}.
 *   <li>{@link #onComplete()} gives a permit back with a latency sample for the lane's algorithm;
 *       {@link #releasePermission()} gives one back without a sample (a permit taken and not used).
 *   <li>The {@code execute*} methods hold their own permit for the call, so their latency is
 *       exact. A call that returns is sampled; one that fails with an overload failure (see
 *       {@link LaneBuilder#overloadOn}) counts as a drop, and any other failure gives the permit
 *       back without a sample, as {@link Lane#call} does.
 * </ul>
 *
 * <h2>Which call {@code onComplete()} completes</h2>
 *
 * <p>Resilience4j's static decorators ({@code Bulkhead.decorateSupplier}, {@code Decorators}
 * chains, {@code decorateCompletionStage}, {@code decorateFuture}) call {@code acquirePermission}
 * and later {@code onComplete} without saying which call finished. This bulkhead matches them so:
 *
 * <ul>
 *   <li>On the thread that took a permit, {@code onComplete} and {@code releasePermission} give
 *       back the newest permit that thread still holds: the call a synchronous decorator wraps, so
 *       its latency sample is exact, nested decorators included.
 *   <li>On a thread that holds none, such as the one that completes a {@code CompletionStage},
 *       they give back the permit held longest by one of the threads that hold some (the first
 *       found). Calls of similar length finish in about the order they started, so the sample
 *       is close; a thread that then finds its own permit gone gives back its next one instead.
 *   <li>Either way every call gives back exactly one permit: in flight stays exact, no permit leaks
 *       and none is released twice. With no permit out, {@code onComplete} and
 *       {@code releasePermission} do nothing at all, not even emit an event.
 * </ul>
 *
 * <h2>Metrics, events and config</h2>
 *
 * <p>{@link #getMetrics()} reports the lane's current limit as the maximum allowed concurrent
 * calls, and {@code max(0, limit - in flight)} as available ({@code BACKGROUND}: also less the
 * lane's background reserve). Events are those of a {@code SemaphoreBulkhead}: permitted or rejected
 * on each acquire, finished on each {@code onComplete}, none on {@code releasePermission}.
 *
 * <p>{@link #getBulkheadConfig()} describes the bulkhead: {@code maxConcurrentCalls} is the lane's
 * {@link Lane#maxLimit() max limit}, the most calls it ever lets through at once, and
 * {@code maxWaitDuration} is how long an acquire waits; a new bulkhead starts with the lane's own
 * {@link Lane#maxWait() wait} and with stack traces off, since a rejection is a normal answer
 * under overload. {@link #changeConfig} sets the wait and moves the lane's max limit to
 * {@code maxConcurrentCalls} (for every bulkhead on the lane), lowering its min if needed; the
 * adaptive limit then moves within the new bounds. {@code fairCallHandlingEnabled} is ignored: a
 * lane never lets a newcomer overtake a waiter.
 */
public final class LaneBulkhead implements Bulkhead {

  private static final Duration LONGEST_WAIT = Duration.ofNanos(Long.MAX_VALUE);

  private final String name;
  private final Lane lane;
  private final Priority priority;
  private final Map<String, String> tags;
  private final HeldPermits held = new HeldPermits();
  private final Events events = new Events();
  private final Metrics metrics = new LaneMetrics();
  private final ReentrantLock configLock = new ReentrantLock();
  private volatile BulkheadConfig config;
  /** The config's wait, capped at what a lane can take (about 292 years). */
  private volatile Duration maxWait;

  LaneBulkhead(String name, Lane lane, Priority priority, Map<String, String> tags) {
    this.name = Objects.requireNonNull(name, "name");
    this.lane = Objects.requireNonNull(lane, "lane");
    this.priority = Objects.requireNonNull(priority, "priority");
    this.tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
    this.config = BulkheadConfig.custom()
        .maxConcurrentCalls(lane.maxLimit())
        .maxWaitDuration(lane.maxWait())
        .writableStackTraceEnabled(false)
        .build();
    this.maxWait = lane.maxWait();
  }

  /** A bulkhead named after {@code lane}, for {@link Priority#NORMAL} calls. */
  public static LaneBulkhead of(Lane lane) {
    Objects.requireNonNull(lane, "lane");
    return new LaneBulkhead(lane.name(), lane, Priority.NORMAL, Map.of());
  }

  /** A bulkhead called {@code name} whose calls run in {@code lane} at {@code priority}. */
  public static LaneBulkhead of(String name, Lane lane, Priority priority) {
    return new LaneBulkhead(name, lane, priority, Map.of());
  }

  /** The lane whose limit bounds this bulkhead. */
  public Lane lane() {
    return lane;
  }

  /** The priority every call through this bulkhead has in the lane. */
  public Priority priority() {
    return priority;
  }

  // ---- permissions ----

  @Override
  public boolean tryAcquirePermission() {
    Permit permit = enter();
    if (permit == null) {
      return false;
    }
    held.hold(permit);
    return true;
  }

  @Override
  public void acquirePermission() {
    if (!tryAcquirePermission()) {
      throw rejection();
    }
  }

  @Override
  public void releasePermission() {
    Permit permit = held.take();
    if (permit != null) {
      permit.ignore();
    }
  }

  @Override
  public void onComplete() {
    Permit permit = held.take();
    if (permit != null) {
      permit.close();
      publishFinished();
    }
  }

  // ---- execute*: each holds its own permit ----

  @Override
  public <T> T executeSupplier(Supplier<T> supplier) {
    Objects.requireNonNull(supplier, "supplier");
    return underPermit(supplier::get);
  }

  @Override
  public <T> T executeCallable(Callable<T> callable) throws Exception {
    Objects.requireNonNull(callable, "callable");
    return underPermit(callable::call);
  }

  @Override
  public void executeRunnable(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable");
    underPermit(() -> {
      runnable.run();
      return null;
    });
  }

  @Override
  public <T> T executeCheckedSupplier(CheckedSupplier<T> checkedSupplier) throws Throwable {
    Objects.requireNonNull(checkedSupplier, "checkedSupplier");
    return underPermit(checkedSupplier::get);
  }

  /** A call that may throw {@code X}: one shape for the four functional types above. */
  @FunctionalInterface
  private interface Body<T, X extends Throwable> {
    T run() throws X;
  }

  /** Runs {@code body} under a permit of its own, released and judged by how it ended. */
  private <T, X extends Throwable> T underPermit(Body<T, X> body) throws X {
    Permit permit = enterOrThrow();
    T result;
    try {
      result = body.run();
    } catch (Throwable failure) {
      finish(permit, failure);
      throw failure;
    }
    finish(permit, null);
    return result;
  }

  /**
   * Runs {@code supplier} under a permit held until its stage completes. Like Resilience4j's
   * {@code decorateCompletionStage}, it waits for the permit on the calling thread (at most
   * {@code maxWaitDuration}) and reports a rejection through the returned stage, not by throwing.
   */
  @Override
  public <T> CompletionStage<T> executeCompletionStage(Supplier<CompletionStage<T>> supplier) {
    Objects.requireNonNull(supplier, "supplier");
    CompletableFuture<T> promise = new CompletableFuture<>();
    Permit permit = enter();
    if (permit == null) {
      promise.completeExceptionally(BulkheadFullException.createBulkheadFullException(this));
      return promise;
    }
    try {
      supplier.get().whenComplete((result, failure) -> {
        try {
          finish(permit, failure);
        } finally {
          if (failure != null) {
            promise.completeExceptionally(failure);
          } else {
            promise.complete(result);
          }
        }
      });
    } catch (Throwable failure) {
      finish(permit, failure);
      promise.completeExceptionally(failure);
    }
    return promise;
  }

  // ---- description ----

  @Override
  public String getName() {
    return name;
  }

  /**
   * The bulkhead's config: {@code maxConcurrentCalls} is the lane's max limit at this moment,
   * {@code maxWaitDuration} how long an acquire waits.
   */
  @Override
  public BulkheadConfig getBulkheadConfig() {
    BulkheadConfig current = config;
    int max = lane.maxLimit();
    if (current.getMaxConcurrentCalls() == max) {
      return current;
    }
    // The lane's bounds moved under us (another bulkhead, or Lane.setLimitBounds): report them.
    return BulkheadConfig.from(current).maxConcurrentCalls(max).build();
  }

  /**
   * Applies {@code newConfig}: its {@code maxWaitDuration} to the acquires that start from now on,
   * its {@code maxConcurrentCalls} as the lane's max limit (the lane's min comes down with it if
   * needed), and its {@code writableStackTraceEnabled} to rejections.
   *
   * @throws IllegalArgumentException naming this bulkhead, if {@code maxConcurrentCalls} is below
   *     1 or does not fit the lane (it must stay above the lane's background reserve and within its
   *     critical ceiling); nothing is changed then
   */
  @Override
  public void changeConfig(BulkheadConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    configLock.lock();
    try {
      int max = newConfig.getMaxConcurrentCalls();
      if (max != lane.maxLimit()) {
        if (max < 1) {
          throw new IllegalArgumentException("bulkhead '" + name + "': maxConcurrentCalls is"
              + " the max limit of lane '" + lane.name() + "' and must be at least 1, was " + max);
        }
        try {
          lane.setLimitBounds(Math.min(lane.minLimit(), max), max);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("bulkhead '" + name + "': maxConcurrentCalls " + max
              + " does not fit: " + e.getMessage(), e);
        }
      }
      config = newConfig;
      maxWait = capped(newConfig.getMaxWaitDuration());
    } finally {
      configLock.unlock();
    }
  }

  /** See the class comment: the lane's limit, and what is left of it for this priority. */
  @Override
  public Metrics getMetrics() {
    return metrics;
  }

  /** The bulkhead's tags, never null; a {@link LaneBulkheadRegistry} adds its own. */
  @Override
  public Map<String, String> getTags() {
    return tags;
  }

  @Override
  public EventPublisher getEventPublisher() {
    return events;
  }

  @Override
  public String toString() {
    return "LaneBulkhead '" + name + "' (" + priority + " in " + lane + ")";
  }

  /** Permits out through {@code acquirePermission}; walks the book, for tests. */
  int permitsHeld() {
    return held.size();
  }

  // ---- private ----

  /**
   * Takes a permit, waiting at most the config's wait, and publishes the permitted or rejected
   * event. Returns null if refused; after an interrupt the flag is set again. If an event consumer
   * throws, the permit goes back before the exception leaves.
   */
  private Permit enter() {
    Permit permit = fromLane();
    if (events.hasConsumers()) {
      if (permit == null) {
        events.processEvent(new BulkheadOnCallRejectedEvent(name));
      } else {
        try {
          events.processEvent(new BulkheadOnCallPermittedEvent(name));
        } catch (RuntimeException | Error consumerFailure) {
          permit.ignore();
          throw consumerFailure;
        }
      }
    }
    return permit;
  }

  private Permit fromLane() {
    Duration wait = maxWait;
    if (wait.isZero()) {
      // As Semaphore.tryAcquire(0, unit) does, an interrupted thread gets nothing.
      if (Thread.currentThread().isInterrupted()) {
        return null;
      }
      Optional<Permit> now = lane.tryAcquire(priority);
      return now.isPresent() ? now.get() : null;
    }
    try {
      return lane.acquire(priority, wait);
    } catch (LaneRejectedException refused) {
      return null;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Duration capped(Duration wait) {
    return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
  }

  private Permit enterOrThrow() {
    Permit permit = enter();
    if (permit == null) {
      throw rejection();
    }
    return permit;
  }

  private RuntimeException rejection() {
    if (Thread.currentThread().isInterrupted()) {
      return new AcquirePermissionCancelledException();
    }
    return BulkheadFullException.createBulkheadFullException(this);
  }

  /** Gives back a permit the bulkhead held for one call; {@code failure} is null on success. */
  private void finish(Permit permit, Throwable failure) {
    if (failure == null) {
      permit.close();
    } else if (lane.isOverload(causeOf(failure))) {
      permit.dropped();
    } else {
      permit.ignore();
    }
    publishFinished();
  }

  private static Throwable causeOf(Throwable failure) {
    if ((failure instanceof CompletionException || failure instanceof ExecutionException)
        && failure.getCause() != null) {
      return failure.getCause();
    }
    return failure;
  }

  private void publishFinished() {
    if (events.hasConsumers()) {
      events.processEvent(new BulkheadOnCallFinishedEvent(name));
    }
  }

  private final class LaneMetrics implements Metrics {
    @Override
    public int getAvailableConcurrentCalls() {
      int room = lane.limit() - lane.inFlight();
      if (priority == Priority.BACKGROUND) {
        room -= lane.backgroundReserve();
      }
      return Math.max(0, room);
    }

    @Override
    public int getMaxAllowedConcurrentCalls() {
      return lane.limit();
    }
  }

  private static final class Events extends EventProcessor<BulkheadEvent>
      implements EventPublisher {

    @Override
    public EventPublisher onCallRejected(EventConsumer<BulkheadOnCallRejectedEvent> consumer) {
      registerConsumer(BulkheadOnCallRejectedEvent.class.getName(), consumer);
      return this;
    }

    @Override
    public EventPublisher onCallPermitted(EventConsumer<BulkheadOnCallPermittedEvent> consumer) {
      registerConsumer(BulkheadOnCallPermittedEvent.class.getName(), consumer);
      return this;
    }

    @Override
    public EventPublisher onCallFinished(EventConsumer<BulkheadOnCallFinishedEvent> consumer) {
      registerConsumer(BulkheadOnCallFinishedEvent.class.getName(), consumer);
      return this;
    }
  }
}
