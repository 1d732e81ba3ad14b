package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final Queue<LimitChange> limitEvents = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean deliveringLimitEvents = new AtomicBoolean();
  private final Gate gate;
  private final WaitingRoom room;
  private final QueueOrder queueOrder;
  private final LaneCounters counters = new LaneCounters();
  /** Permits handed from the queue and not released yet; see {@link #permitsServedFromQueue}. */
  private final LongAdder fromQueue = new LongAdder();
  private final Listeners listeners;
  private final LatencyWindow window;
  private final Ticker ticker;
  private final LaneScheduler scheduler;
  private final Executor callbackExecutor;
  private final long maxWaitNanos;
  private final Predicate<Throwable> overloadOn;
  private final String algorithmName;
  private final LaneEvents events;

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
    this.queueOrder = builder.queueOrder();
    this.room = new WaitingRoom(this, gate, builder.maxQueued(), queueOrder);
    this.listeners = new Listeners(name, builder.listeners());
    this.ticker = builder.ticker();
    this.scheduler = builder.scheduler();
    this.callbackExecutor =
        builder.callbackExecutor() != null ? builder.callbackExecutor() : Callbacks::execute;
    this.maxWaitNanos = nanosOf(builder.maxWait());
    this.overloadOn = builder.overloadOn();
    this.algorithmName = nameOf(algorithm);
    this.events = new LaneEvents(name);
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
    long before = gate.tryAdmit(priority);
    if (before != -1) {
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
    long waitNanos = nanosOf(checkWait(maxWait));
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before acquiring from lane '" + name + "'");
    }
    long before = gate.tryAdmit(priority);
    if (before != -1) {
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
    return acquire(priority, maxWait());
  }

  /**
   * Asks for a permit without blocking the caller. The future completes with the permit, or
   * exceptionally with a {@link LaneRejectedException}. Cancelling the future, or completing it
   * yourself ({@code orTimeout}, {@code completeOnTimeout}), withdraws the request; a permit
   * granted at that same moment goes back to the lane. Settle the returned future itself:
   * cancelling a stage derived from it ({@code thenApply(...)}) does not reach it, as with any
   * {@code CompletableFuture}, and its permit would arrive with nobody to close it.
   */
  public CompletableFuture<Permit> acquireAsync(Priority priority, Duration maxWait) {
    long waitNanos = nanosOf(checkWait(maxWait));
    long before = gate.tryAdmit(priority);
    if (before != -1) {
      return CompletableFuture.completedFuture(grant(priority, before));
    }
    if (priority == Priority.CRITICAL) {
      return CompletableFuture.failedFuture(refusal(priority, fastRefusalReason(priority)));
    }
    AsyncWaiter waiter = new AsyncWaiter(priority);
    room.enter(waiter, waitNanos);
    if (waiter.isWaiting()) {
      try {
        waiter.armTimeout(scheduler(), waitNanos, () -> timeOut(waiter));
      } catch (RuntimeException | Error schedulerFailure) {
        // Without its timeout the waiter could wait for ever: withdraw it. If a permit reached it
        // meanwhile, the wait is over anyway and the future completes with the permit.
        if (waiter.tryAbandon()) {
          room.leave(waiter, false);
          waiter.future.completeExceptionally(new IllegalStateException("lane '" + name
              + "' could not wait for a permit: its scheduler failed to arm the timeout",
              schedulerFailure));
        }
        return waiter.future;
      }
      // The caller settled the future itself (cancel, a timeout of its own, complete): withdraw.
      // When the lane completes it, the waiter is granted already and stays so.
      waiter.future.whenComplete((permit, failure) -> {
        if (waiter.tryAbandon()) {
          room.leave(waiter, false);
          waiter.disarmTimeout();
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

  /** The order in which waiters of one priority receive freed permits. */
  public QueueOrder queueOrder() {
    return queueOrder;
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
    int old;
    int next;
    limitLock.lock();
    try {
      // One step, in an order that keeps min <= limit <= max at every instant: the bounds that
      // widen move first, then the limit, then the bounds that close in on it. (Reading the three
      // one after another can still straddle a change; snapshot() reads them together.)
      old = gate.limit();
      next = Math.max(min, Math.min(max, old));
      if (min < this.min) {
        this.min = min;
      }
      if (max > this.max) {
        this.max = max;
      }
      gate.setLimit(next);
      this.min = min;
      this.max = max;
      noteLimitChange(old, next, null);
    } finally {
      limitLock.unlock();
    }
    limitMoved(old, next);
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
    return LaneSnapshot.of(this, gate, room, counters, window);
  }

  /**
   * {@code {min, limit, max}} as one consistent reading. Separate calls of {@link #minLimit()},
   * {@link #limit()} and {@link #maxLimit()} may straddle a change; this may not. The lock it takes
   * is held only by changes of the limit, never by a hand-over.
   */
  int[] limits() {
    limitLock.lock();
    try {
      return new int[] {min, gate.limit(), max};
    } finally {
      limitLock.unlock();
    }
  }

  /** Adds a listener to a running lane. */
  public void addListener(LaneListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; returns whether it was there. */
  public boolean removeListener(LaneListener listener) {
    return listeners.remove(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Closes the lane: every waiter fails with {@code CLOSED} and new requests are refused. Permits
   * already out can still be released. Closing twice does nothing.
   *
   * <p>Blocked callers and the first asynchronous waiter are told before this returns; further
   * asynchronous waiters are told on the {@linkplain LaneBuilder#callbackExecutor callback
   * executor}, so that one caller's callback cannot hold up the others' news.
   */
  @Override
  public void close() {
    if (gate.close()) {
      room.closeAll();
      if (listeners.hear(Listeners.CLOSED)) {
        listeners.fire(Listeners.CLOSED, l -> l.onClosed(this));
      }
    }
  }

  @Override
  public String toString() {
    return "Lane[" + name + ", limit " + limit() + ", in flight " + inFlight() + "]";
  }

  // ---- package-private: the parts of the lane its helpers call back into ----

  /**
   * Makes the permit for an admission.
   *
   * @param stateBefore the gate's state before a fast-path admission, or -1 for a waiter
   */
  Permit grant(Priority priority, long stateBefore) {
    counters.admitted(priority);
    if (priority == Priority.CRITICAL && stateBefore != -1
        && Gate.inFlightOf(stateBefore) >= gate.limit()) {
      counters.bypassed(priority);
    }
    return permit(priority, stateBefore);
  }

  private Permit permit(Priority priority, long stateBefore) {
    return new LanePermit(this, priority, timesCall(stateBefore) ? now() : LanePermit.UNTIMED);
  }

  /** A waiter was handed a permit from the queue; see {@link #permitsServedFromQueue}. */
  void servedFromQueue() {
    fromQueue.increment();
  }

  /** A permit handed from the queue was released, or given back. */
  void releasedFromQueue() {
    fromQueue.decrement();
  }

  /**
   * Permits handed to waiters from the queue and not released yet: how many permits the queue is
   * being served with, for the waiting room's estimate of how long each is held.
   */
  long permitsServedFromQueue() {
    return fromQueue.sum();
  }

  /** A waiter's permit is the caller's: counted as admitted, and out of limbo. */
  void waiterAdmitted(Priority priority) {
    counters.admitted(priority);
    gate.delivered(priority);
  }

  /** The permit for an async waiter, counted as admitted once it is the caller's. */
  LanePermit waiterPermit(Priority priority) {
    return LanePermit.pending(this, priority, timesCall(-1L) ? now() : LanePermit.UNTIMED);
  }

  /**
   * Whether the call being admitted is one whose latency the lane times: every call while calls
   * are rare, one in {@code k} (a power of two the window picks from the rate it saw) when they
   * are not. The admission's number picks them: releases plus in-flight, read from the state the
   * admission's own CAS replaced, counts the admissions before it, so every admission on the fast
   * path has a number of its own, with no counter of its own to contend on. (A waiter, admitted
   * under the waiting room's lock, reads the state again; its number may repeat a neighbour's.)
   *
   * <p>The number is scrambled first (Fibonacci hashing: the top bits of {@code n × 2^64/φ}), so
   * that a caller whose calls repeat with some period, such as a loop of a fast stat and a slow
   * read, has every kind of call timed, not always the same one; {@code n mod k} would alias with
   * any period dividing {@code k}. The top {@code log2(k)} bits are zero for one number in
   * {@code k} on average, and the gaps between them stay within a small factor of {@code k} (the
   * three-gap theorem), so windows still close on time.
   */
  private boolean timesCall(long stateBefore) {
    if (window == null) {
      return false;
    }
    int shift = window.timingShift();
    if (shift == 0) {
      return true;
    }
    long state = stateBefore != -1 ? stateBefore : gate.state();
    long admissionsBefore = Gate.releasesOf(state) + Gate.inFlightOf(state);
    return Long.numberOfLeadingZeros(admissionsBefore * GOLDEN) >= shift;
  }

  /** 2^64 divided by the golden ratio, odd: multiplying by it scatters consecutive numbers. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /**
   * Returns a slot the gate counted as taken, and nothing else did, to the next waiter: a permit
   * granted to a waiter that gave up at that very moment was never the caller's, so it is neither
   * admitted nor released in the lane's counts. It leaves limbo before the next waiter is served,
   * so no reader in that waiter's callbacks counts it as neither given back nor in limbo.
   */
  void giveBack(Priority priority) {
    releasedFromQueue();
    long before = gate.giveBack(priority);
    gate.delivered(priority);
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
    events.rejected(priority, reason);
    if (reason == Reason.LIMIT_REACHED || reason == Reason.QUEUE_FULL) {
      blocked();
    }
    if (listeners.hear(Listeners.REJECTED)) {
      listeners.fire(Listeners.REJECTED, l -> l.onRejected(this, priority, reason));
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

  /**
   * The lane's clock, whether or not it measures latency; {@link LanePermit#UNTIMED} if the ticker
   * failed.
   */
  long clock() {
    try {
      return ticker.nanoTime();
    } catch (RuntimeException | Error failure) {
      userCodeFailed("reading the ticker", failure);
      return LanePermit.UNTIMED;
    }
  }

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  /** The median latency of the last closed window, or 0 if none has closed. */
  long typicalLatencyNanos() {
    WindowSummary last = window == null ? null : window.lastWindow();
    return last == null ? 0 : last.percentileNanos(0.5);
  }

  void release(Priority priority, long grantedNanos, long now, int outcome) {
    boolean timed = grantedNanos != LanePermit.UNTIMED && now != LanePermit.UNTIMED;
    counters.released(priority, outcome); // before the gate; see LaneCounters
    long before = gate.release(priority);
    try {
      if ((before & Gate.WAITING) != 0) {
        room.requestDispatch();
      }
    } finally {
      if (window != null) {
        window.released(priority, grantedNanos, now, timed, Gate.inFlightOf(before), outcome);
      }
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

  /** Successes of {@code priority}, timed or not, since the lane was built. */
  long successes(Priority priority) {
    return counters.completedCount(priority, gate);
  }

  /**
   * Applies what the algorithm proposed after {@code closed}, clamped to [min, max]; if the
   * algorithm failed ({@code accepted} false), the limit stays whatever it is now.
   */
  void windowClosed(WindowSummary closed, int proposed, boolean accepted) {
    int next = accepted ? applyLimit(proposed, closed) : gate.limit();
    events.windowClosed(closed, next);
    if (listeners.hear(Listeners.WINDOW_CLOSED)) {
      listeners.fire(Listeners.WINDOW_CLOSED, l -> l.onWindowClosed(this, closed, next));
    }
  }

  /**
   * Sets the limit to {@code proposed} clamped to the bounds; returns the limit set.
   *
   * @param window the window behind the change, or null if it came from elsewhere
   */
  private int applyLimit(int proposed, WindowSummary window) {
    int old;
    int next;
    limitLock.lock();
    try {
      old = gate.limit();
      next = clamp(proposed);
      gate.setLimit(next);
      noteLimitChange(old, next, window);
    } finally {
      limitLock.unlock();
    }
    limitMoved(old, next);
    return next;
  }

  /** Queues the event of a limit change, in the order of the changes; under {@link #limitLock}. */
  private void noteLimitChange(int old, int next, WindowSummary window) {
    if (next != old) {
      limitEvents.add(new LimitChange(old, next, window));
    }
  }

  /**
   * Wakes waiters if the limit rose, then tells listeners and the flight recorder of every change
   * queued so far, in order: one thread at a time delivers, so a listener that keeps the last
   * limit it heard keeps the lane's.
   */
  private void limitMoved(int old, int next) {
    if (next > old) {
      room.requestDispatch();
    }
    while (!limitEvents.isEmpty() && deliveringLimitEvents.compareAndSet(false, true)) {
      try {
        for (LimitChange change; (change = limitEvents.poll()) != null; ) {
          events.limitChanged(change.old, change.next, algorithmName, change.window);
          if (listeners.hear(Listeners.LIMIT_CHANGED)) {
            LimitChange c = change;
            listeners.fire(Listeners.LIMIT_CHANGED, l -> l.onLimitChanged(this, c.old, c.next));
          }
        }
      } finally {
        deliveringLimitEvents.set(false);
      }
    }
  }

  /** A limit change to tell the listeners of. */
  private static final class LimitChange {
    final int old;
    final int next;
    final WindowSummary window;

    LimitChange(int old, int next, WindowSummary window) {
      this.old = old;
      this.next = next;
      this.window = window;
    }
  }

  private static String nameOf(LimitAlgorithm algorithm) {
    try {
      return algorithm.name();
    } catch (RuntimeException e) {
      return algorithm.getClass().getName();
    }
  }

  private int clamp(int limit) {
    return Math.max(min, Math.min(max, limit));
  }

  void algorithmFailed(Throwable error) {
    listeners.fire(Listeners.ALGORITHM_ERROR, l -> l.onAlgorithmError(this, error));
  }

  static Duration checkWait(Duration maxWait) {
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
    }
    return maxWait;
  }

  /** {@code wait} in nanoseconds; a wait too long to count in them (292 years) waits for ever. */
  static long nanosOf(Duration wait) {
    return wait.compareTo(FOREVER) >= 0 ? Long.MAX_VALUE : wait.toNanos();
  }

  private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

  // ---- private ----

  private Permit await(Priority priority, long waitNanos) throws InterruptedException {
    BlockingWaiter waiter = new BlockingWaiter(priority);
    room.enter(waiter, waitNanos);
    long start = System.nanoTime();
    while (waiter.isWaiting()) {
      long remaining = waitNanos - (System.nanoTime() - start); // no overflow, even for ever
      if (remaining <= 0) {
        if (waiter.tryAbandon()) {
          room.leave(waiter, true);
          throw refusal(priority, Reason.TIMEOUT);
        }
        break;
      }
      if (waiter.spinIfNextInLine(remaining)) {
        break;
      }
      waiter.park(this, remaining);
      if (Thread.interrupted()) {
        if (waiter.tryAbandon()) {
          room.leave(waiter, false);
        } else if (waiter.state() == Waiter.GRANTED) {
          giveBack(priority); // granted at the same moment, but never the caller's
        }
        throw new InterruptedException("interrupted while waiting for lane '" + name + "'");
      }
    }
    if (waiter.state() == Waiter.GRANTED) {
      Permit permit = LanePermit.fromQueue(this, priority,
          timesCall(-1L) ? now() : LanePermit.UNTIMED);
      waiterAdmitted(priority);
      return permit;
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
      room.leave(waiter, true);
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
      applyLimit(limit, null);
    }
  }
}
