package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Bounds the concurrency of blocking work on one resource, such as a disk, a native library or a
 * downstream service, and adapts the bound to the tail latency it measures.
 *
 * <pre>{@code
 * Lane disk = Lane.builder("nvme0").limits(4, 16, 128).build();
 *
 * byte[] data = disk.call(Priority.NORMAL, () -> Files.readAllBytes(path));
 *
 * try (Permit permit = disk.acquire(Priority.BACKGROUND, Duration.ofSeconds(30))) {
 *   scanner.scanNextBlock();
 * }
 * }</pre>
 *
 * <p>A lane admits {@link Priority#NORMAL} calls while fewer than {@link #limit()} are in flight,
 * {@link Priority#BACKGROUND} calls only into slack and behind every waiting {@code NORMAL} call,
 * and {@link Priority#CRITICAL} calls regardless of the limit, up to the critical ceiling. Calls
 * that cannot go at once wait in a bounded queue; a freed permit is handed straight to the next
 * waiter. Every released permit reports the call's latency; when a window of samples closes, the
 * lane's {@link LimitAlgorithm} proposes a new limit, and the lane clamps it to {@code [min, max]}.
 *
 * <p>{@link #tryAcquire} and {@link Permit#close()} take no lock: one CAS to admit, one atomic add
 * to release, one atomic increment to record the latency. Waiting parks the thread, so virtual
 * threads unmount while they wait.
 */
public final class Lane implements AutoCloseable {

  private final String name;
  private final int reserve;
  private final int ceiling;
  // The bounds move only through setLimitBounds; every change of the limit runs under limitLock,
  // so the limit is inside the bounds at every moment (rule 1).
  private volatile int min;
  private volatile int max;
  private final ReentrantLock limitLock = new ReentrantLock();
  private final Gate gate;
  private final WaitingRoom room;
  private final LaneCounters counters = new LaneCounters();
  private final Listeners listeners;
  private final LatencyWindow window;
  private final Ticker ticker;
  private final LaneScheduler scheduler;
  private final long maxWaitNanos;
  private final Predicate<Throwable> overloadOn;

  Lane(LaneBuilder builder, LimitAlgorithm algorithm) {
    this.name = builder.name();
    this.min = builder.min();
    this.max = builder.max();
    this.reserve = builder.backgroundReserve();
    this.ceiling = builder.criticalCeiling();
    int initial = builder.initial();
    if (!builder.limitsSet()) {
      initial = clamp(algorithm.initialLimit().orElse(initial));
    }
    this.gate = new Gate(initial, reserve, ceiling);
    this.room = new WaitingRoom(this, gate, builder.maxQueued(), builder.queueOrder());
    this.listeners = new Listeners(name, builder.listeners());
    this.ticker = builder.ticker();
    this.scheduler = builder.scheduler();
    this.maxWaitNanos = builder.maxWait().toNanos();
    this.overloadOn = builder.overloadOn();
    this.window = builder.window().enabled()
        ? new LatencyWindow(this, algorithm, builder.window(), ticker.nanoTime())
        : null;
    algorithm.attach(new Control());
  }

  /** Starts configuring a lane called {@code name}. */
  public static LaneBuilder builder(String name) {
    return new LaneBuilder(name);
  }

  /** The lane's name, as given to the builder. */
  public String name() {
    return name;
  }

  /**
   * Takes a permit if one is free now; never waits. Every refusal, {@code CLOSED} included, is an
   * empty result.
   */
  public Optional<Permit> tryAcquire(Priority priority) {
    int before = gate.tryAdmit(priority);
    if (before >= 0) {
      return Optional.of(grant(priority, before));
    }
    refuse(priority, fastRefusalReason(priority)); // counted, but no exception: nobody sees one
    return Optional.empty();
  }

  /**
   * Takes a permit, waiting at most {@code maxWait} for one. {@link Priority#CRITICAL} never waits.
   *
   * @throws LaneRejectedException if the lane refuses: no room in the queue, the wait ran out, a
   *     {@code NORMAL} call evicted this {@code BACKGROUND} one, the ceiling, or the lane closed
   * @throws InterruptedException if the thread is interrupted before or while it waits; it then
   *     holds no permit
   */
  public Permit acquire(Priority priority, Duration maxWait) throws InterruptedException {
    long waitNanos = checkWait(maxWait).toNanos();
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before acquiring from lane '" + name + "'");
    }
    int before = gate.tryAdmit(priority);
    if (before >= 0) {
      return grant(priority, before);
    }
    if (priority == Priority.CRITICAL) {
      throw refusal(priority, fastRefusalReason(priority));
    }
    return await(priority, waitNanos);
  }

  /** Takes a permit, waiting at most the lane's {@code maxWait}; see {@link #acquire(Priority,
   * Duration)}. */
  public Permit acquire(Priority priority) throws InterruptedException {
    return acquire(priority, Duration.ofNanos(maxWaitNanos));
  }

  /**
   * Asks for a permit without blocking the caller. The future completes with the permit, or
   * exceptionally with a {@link LaneRejectedException}. Cancelling the future withdraws the
   * request; a permit granted at that same moment goes back to the lane.
   */
  public CompletableFuture<Permit> acquireAsync(Priority priority, Duration maxWait) {
    long waitNanos = checkWait(maxWait).toNanos();
    int before = gate.tryAdmit(priority);
    if (before >= 0) {
      return CompletableFuture.completedFuture(grant(priority, before));
    }
    if (priority == Priority.CRITICAL) {
      return CompletableFuture.failedFuture(refusal(priority, fastRefusalReason(priority)));
    }
    AsyncWaiter waiter = new AsyncWaiter(priority);
    room.enter(waiter, waitNanos > 0);
    if (waiter.isWaiting()) {
      try {
        waiter.armTimeout(scheduler(), waitNanos, () -> timeOut(waiter));
      } catch (RuntimeException | Error schedulerFailure) {
        // Without its timeout the waiter could wait for ever: withdraw it. If a permit reached it
        // meanwhile, the wait is over anyway and the future completes with the permit.
        if (waiter.tryAbandon()) {
          room.leave(waiter);
          waiter.future.completeExceptionally(new IllegalStateException("lane '" + name
              + "' could not wait for a permit: its scheduler failed to arm the timeout",
              schedulerFailure));
        }
        return waiter.future;
      }
      waiter.future.whenComplete((permit, failure) -> {
        if (failure != null && waiter.tryAbandon()) {
          waiter.disarmTimeout();
          room.leave(waiter);
        }
      });
    }
    return waiter.future;
  }

  /**
   * Runs {@code task} under a permit of {@code priority}, waiting at most the lane's
   * {@code maxWait}. A task that returns releases the permit with its latency; a task that throws
   * an overload failure (see {@link LaneBuilder#overloadOn}) releases it as dropped, and any other
   * failure releases it without a sample. The task's exception is rethrown as it is.
   */
  public <T> T call(Priority priority, Callable<T> task) throws Exception {
    Objects.requireNonNull(task, "task");
    Permit permit = acquire(priority);
    T result;
    try {
      result = task.call();
    } catch (Throwable failure) {
      releaseAfter(permit, failure);
      throw failure;
    }
    permit.close();
    return result;
  }

  /** The current limit: how many {@code NORMAL} calls may be in flight. */
  public int limit() {
    return gate.limit();
  }

  /** The lowest the limit may go. */
  public int minLimit() {
    return min;
  }

  /** The highest the limit may go. */
  public int maxLimit() {
    return max;
  }

  /** Permits that {@link Priority#BACKGROUND} calls may never take. */
  public int backgroundReserve() {
    return reserve;
  }

  /**
   * Moves the bounds of the limit at run time, for instance from an operator's setting. The limit
   * is clamped into the new bounds at once: lowering {@code max} below the current limit revokes
   * no permit (rule 7), and raising {@code min} above it wakes waiters.
   *
   * @throws IllegalArgumentException naming the bound, unless {@code 1 <= min <= max}, the
   *     background reserve is below {@code max} and the critical ceiling at least {@code max}
   */
  public void setLimitBounds(int min, int max) {
    LaneBuilder.check(min >= 1, "lane '" + name + "': min must be at least 1, was " + min);
    LaneBuilder.check(max >= min,
        "lane '" + name + "': max must be at least min (" + min + "), was " + max);
    LaneBuilder.check(reserve < max, "lane '" + name + "': max must be above the background"
        + " reserve (" + reserve + "), was " + max);
    LaneBuilder.check(ceiling >= max, "lane '" + name + "': max must not exceed the critical"
        + " ceiling (" + ceiling + "), was " + max);
    limitLock.lock();
    try {
      this.min = min;
      this.max = max;
    } finally {
      limitLock.unlock();
    }
    applyLimit(gate.limit());
  }

  /** Whether {@code failure} means overload to this lane (see {@link LaneBuilder#overloadOn}). */
  public boolean isOverload(Throwable failure) {
    try {
      return overloadOn.test(failure);
    } catch (RuntimeException predicateFailure) {
      return false;
    }
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return gate.isClosed();
  }

  /** How long {@link #acquire(Priority)} and {@link #call} wait for a permit. */
  public Duration maxWait() {
    return Duration.ofNanos(maxWaitNanos);
  }

  /** Permits out now, every priority together. */
  public int inFlight() {
    return gate.inFlight();
  }

  /** The lane's state and running totals; see {@link LaneSnapshot}. */
  public LaneSnapshot snapshot() {
    return LaneSnapshot.of(this, room, counters, window);
  }

  /** Adds a listener to a running lane. */
  public void addListener(LaneListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Closes the lane: every waiter fails with {@code CLOSED} and new requests are refused. Permits
   * already out can still be released. Closing twice does nothing.
   */
  @Override
  public void close() {
    if (gate.close()) {
      room.closeAll();
      if (!listeners.isEmpty()) {
        listeners.fire(l -> l.onClosed(this));
      }
    }
  }

  @Override
  public String toString() {
    return "Lane[" + name + ", limit " + limit() + ", in flight " + inFlight() + "]";
  }

  // ---- package-private: the parts of the lane its helpers call back into ----

  /** Makes the permit for an admission; {@code inFlightBefore} is -1 for a waiter. */
  Permit grant(Priority priority, int inFlightBefore) {
    counters.admitted(priority);
    if (priority == Priority.CRITICAL && inFlightBefore >= gate.limit()) {
      counters.bypassed(priority);
    }
    return new LanePermit(this, priority, now());
  }

  /**
   * Takes back a permit that was granted to a future cancelled at that very moment: it was never
   * the caller's, so it is neither admitted nor released in the lane's counts.
   */
  void withdraw(Permit permit) {
    counters.withdrawn(permit.priority());
    giveBack();
  }

  /** Returns a slot the gate counted as taken, uncounted anywhere else, to the next waiter. */
  private void giveBack() {
    long before = gate.release(false);
    if ((before & Gate.WAITING) != 0) {
      room.requestDispatch();
    }
  }

  /** Counts and reports a refusal, and returns the exception that describes it. */
  LaneRejectedException refusal(Priority priority, Reason reason) {
    refuse(priority, reason);
    return new LaneRejectedException(reason, name, priority, gate.limit(), gate.inFlight());
  }

  /** Counts and reports a refusal. */
  private void refuse(Priority priority, Reason reason) {
    counters.rejected(priority, reason);
    if (reason == Reason.LIMIT_REACHED || reason == Reason.QUEUE_FULL) {
      blocked();
    }
    if (!listeners.isEmpty()) {
      listeners.fire(l -> l.onRejected(this, priority, reason));
    }
  }

  /**
   * The clock, for a permit's grant or release; {@link LanePermit#UNTIMED} if the lane measures
   * nothing or the ticker failed. A broken ticker costs samples, never a permit.
   */
  long now() {
    if (window == null) {
      return LanePermit.UNTIMED;
    }
    try {
      return ticker.nanoTime();
    } catch (RuntimeException | Error failure) {
      userCodeFailed("reading the ticker", failure);
      return LanePermit.UNTIMED;
    }
  }

  void release(Priority priority, long grantedNanos, long now, int outcome) {
    boolean timed = grantedNanos != LanePermit.UNTIMED && now != LanePermit.UNTIMED;
    // A timed success is a sample: counted by the gate (which decides when a window is due) and
    // the histogram. Every other release is counted by the counters.
    boolean sample = timed && outcome == LanePermit.SUCCEEDED;
    long before = gate.release(sample);
    if ((before & Gate.WAITING) != 0) {
      room.requestDispatch();
    }
    counters.released(priority, outcome, !sample);
    if (timed && outcome != LanePermit.IGNORED) {
      window.record(priority, grantedNanos, now, Gate.inFlightOf(before),
          outcome == LanePermit.DROPPED, Gate.completionsOf(before) + (sample ? 1 : 0));
    }
  }

  /**
   * User code the lane ran on someone's behalf (a ticker, a scheduler, a future's callback)
   * threw. The lane has already made sure that no permit is lost; this only tells the operator.
   */
  void userCodeFailed(String what, Throwable failure) {
    listeners.logFailure(what, failure);
  }

  /** A call found no permit free and had to wait, or was refused for the limit or the queue. */
  void blocked() {
    if (window != null) {
      window.blocked();
    }
  }

  long completions() {
    return gate.completions();
  }

  /** Applies what the algorithm proposed after {@code closed}, clamped to [min, max]. */
  void windowClosed(WindowSummary closed, int proposed) {
    int next = applyLimit(proposed);
    if (!listeners.isEmpty()) {
      listeners.fire(l -> l.onWindowClosed(this, closed, next));
    }
  }

  /** Sets the limit to {@code proposed} clamped to the bounds; returns the limit set. */
  private int applyLimit(int proposed) {
    int old;
    int next;
    limitLock.lock();
    try {
      old = gate.limit();
      next = clamp(proposed);
      gate.setLimit(next);
    } finally {
      limitLock.unlock();
    }
    if (next != old) {
      if (next > old) {
        room.requestDispatch();
      }
      if (!listeners.isEmpty()) {
        int from = old;
        listeners.fire(l -> l.onLimitChanged(this, from, next));
      }
    }
    return next;
  }

  private int clamp(int limit) {
    return Math.max(min, Math.min(max, limit));
  }

  void algorithmFailed(Throwable error) {
    listeners.fire(l -> l.onAlgorithmError(this, error));
  }

  static Duration checkWait(Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
    }
    return maxWait;
  }

  // ---- private ----

  private Permit await(Priority priority, long waitNanos) throws InterruptedException {
    BlockingWaiter waiter = new BlockingWaiter(priority);
    room.enter(waiter, waitNanos > 0);
    long deadline = System.nanoTime() + waitNanos;
    while (waiter.isWaiting()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        if (waiter.tryAbandon()) {
          room.leave(waiter);
          throw refusal(priority, Reason.TIMEOUT);
        }
        break;
      }
      LockSupport.parkNanos(this, remaining);
      if (Thread.interrupted()) {
        if (waiter.tryAbandon()) {
          room.leave(waiter);
        } else if (waiter.state() == Waiter.GRANTED) {
          giveBack(); // granted at the same moment, but never the caller's
        }
        throw new InterruptedException("interrupted while waiting for lane '" + name + "'");
      }
    }
    if (waiter.state() == Waiter.GRANTED) {
      return grant(priority, -1);
    }
    throw refusal(priority, waiter.reason());
  }

  private Reason fastRefusalReason(Priority priority) {
    if (gate.isClosed()) {
      return Reason.CLOSED;
    }
    return priority == Priority.CRITICAL ? Reason.CEILING : Reason.LIMIT_REACHED;
  }

  private void timeOut(AsyncWaiter waiter) {
    if (waiter.tryAbandon()) {
      room.leave(waiter);
      waiter.future.completeExceptionally(refusal(waiter.priority, Reason.TIMEOUT));
    }
  }

  private LaneScheduler scheduler() {
    return scheduler != null ? scheduler : LaneScheduler.system();
  }

  private void releaseAfter(Permit permit, Throwable failure) {
    boolean overload;
    try {
      overload = overloadOn.test(failure);
    } catch (Throwable predicateFailure) {
      failure.addSuppressed(predicateFailure);
      overload = false;
    }
    if (overload) {
      permit.dropped();
    } else {
      permit.ignore();
    }
  }

  /** What the lane's algorithm may do to it between windows. */
  private final class Control implements LimitControl {
    @Override
    public String laneName() {
      return name;
    }

    @Override
    public int limit() {
      return gate.limit();
    }

    @Override
    public void propose(int limit) {
      applyLimit(limit);
    }
  }
}
