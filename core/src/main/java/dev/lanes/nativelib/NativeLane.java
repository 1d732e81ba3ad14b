package dev.lanes.nativelib;

import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.LaneListener;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs calls into a native library (JNI or FFM) on dedicated platform threads, with a
 * {@link Lane} in front of them that decides admission, priority and waiting.
 *
 * <pre>{@code
 * NativeLane codec = NativeLane.builder("libcodec")
 *     .profile(NativeProfile.CPU_BOUND)
 *     .threadInit(Codec::attachThread)            // the library wants its own thread state
 *     .threadTeardown(Codec::detachThread)
 *     .build();
 *
 * byte[] frame = codec.call(Priority.NORMAL, () -> Codec.decode(packet));
 * CompletableFuture<byte[]> later = codec.submit(Priority.BACKGROUND, () -> Codec.decode(bulk));
 * }</pre>
 *
 * <p>Why workers: a native call holds its thread for as long as it runs, and on a virtual thread
 * it pins the carrier. Here the caller only waits, parked, for a result, so a virtual caller
 * unmounts, while the call runs on a worker. The workers are also what libraries with
 * thread-affine state need: {@code threadInit} runs once on each worker before its first call,
 * and whatever it leaves in thread-locals every call on that worker sees.
 *
 * <p><b>Workers and priorities.</b> The lane's limit moves within {@code [1, threads()]}, and the
 * pool keeps {@link #criticalThreads()} more workers (one by default). The lane's critical ceiling
 * is {@code threads() + criticalThreads()}, the number of workers, so a call the lane admits finds
 * a worker free, unless a worker is being replaced or is held by a callback (see below). On a
 * native lane {@link Priority#CRITICAL} therefore means: held back neither by the limit nor by
 * waiting calls, and run at once, on a worker kept free for it, even while {@code threads()}
 * calls run. Native code cannot be pre-empted, so when every worker is busy a {@code CRITICAL}
 * call is refused with {@code CEILING} rather than queued behind running work. {@code BACKGROUND}
 * calls take only slack, as on any lane.
 *
 * <p><b>Failures.</b> A call that throws something {@code retireOn} matches (by default any
 * {@link Error}) fails with it, and its worker is retired: torn down, its thread ended, and a
 * fresh worker started in its place, since the library's state on that thread may be corrupt. A
 * {@code retireOn} that throws counts as a match; its exception is added to the call's failure as
 * suppressed. A worker whose {@code threadInit} fails runs no call: it is retired at once, without
 * teardown, and a fresh thread tries again after a backoff that starts at 10 ms and doubles up to
 * 1 s. Calls wait for it; but after 5 failures in a row, while no worker is ready, calls fail at
 * once with an {@link IllegalStateException} that names the library and carries the init
 * failure, until a fresh worker's {@code threadInit} succeeds. Every retirement is counted in
 * {@link #retiredWorkers()} and recorded as the JFR event {@code dev.lanes.NativeWorkerRetired}.
 *
 * <p><b>Closing.</b> {@link #close()} refuses new calls and runs every call already admitted,
 * including one whose caller has its permit but has not yet handed the job over, before the
 * workers end. No native call starts after it returns.
 *
 * <p><b>Callbacks.</b> A future from {@link #submit} completes on the worker, after the call's
 * permit is released; stages chained to it without an executor run there too, and hold the worker
 * while they run. Chain slow work with the {@code ...Async} methods.
 */
public final class NativeLane implements AutoCloseable {

  private final String library;
  private final int threads;
  private final int criticalThreads;
  private final Lane lane;
  private final WorkerPool pool;
  private final AtomicBoolean closing = new AtomicBoolean();
  /**
   * Set on a thread while it is inside this lane's admission or close, where user code (a
   * listener, a ticker) may run; a close() from there must not wait for the workers, since they
   * may be waiting for this very call.
   */
  private final ThreadLocal<Boolean> inside = new ThreadLocal<>();

  private NativeLane(Builder builder) {
    this.library = builder.library;
    this.threads = builder.threads > 0 ? builder.threads : builder.profile.threads();
    this.criticalThreads = builder.criticalThreads;
    LaneBuilder lanes = Lane.builder("native:" + library)
        .maxQueued(builder.queueCapacity)
        .maxWait(builder.maxWait);
    builder.laneSettings.accept(lanes);
    // Set last, so no setting can let the lane admit more calls than there are workers.
    this.lane = lanes.limits(1, threads, threads)
        .criticalCeiling(threads + criticalThreads)
        .build();
    this.pool = new WorkerPool(library, lane, builder.threadInit, builder.threadTeardown,
        builder.retireOn);
    pool.start(threads + criticalThreads);
  }

  /** Starts configuring the lane of native library {@code library}. */
  public static Builder builder(String library) {
    return new Builder(library);
  }

  /**
   * Runs {@code task} on a worker under a permit of {@code priority}, and waits for it. The wait
   * for a permit is bounded by the lane's maxWait; once the task runs, the caller waits for it to
   * finish. The task's exception is rethrown as it is.
   *
   * @throws dev.lanes.LaneRejectedException if the lane refuses the call
   * @throws IllegalStateException if no worker can run it: threadInit keeps failing
   * @throws InterruptedException if the caller is interrupted; a task not started yet is then
   *     withdrawn, and a task already running still finishes (native code cannot be stopped) and
   *     releases its permit then
   */
  public <T> T call(Priority priority, Callable<T> task) throws Exception {
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(task, "task");
    pool.announce();
    Permit permit;
    Boolean outer = enter();
    try {
      permit = lane.acquire(priority);
    } catch (Throwable refused) {
      pool.withdraw();
      throw refused;
    } finally {
      leave(outer);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    pool.dispatch(new Job<>(task, permit, result));
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    } catch (InterruptedException e) {
      result.cancel(false);
      throw e;
    }
  }

  /**
   * Runs {@code task} on a worker under a permit of {@code priority}, without blocking the caller.
   * Cancelling the future before the task starts withdraws it; after, the task still finishes.
   */
  public <T> CompletableFuture<T> submit(Priority priority, Callable<T> task) {
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(task, "task");
    CompletableFuture<T> result = new CompletableFuture<>();
    pool.announce();
    CompletableFuture<Permit> permit;
    Boolean outer = enter();
    try {
      permit = lane.acquireAsync(priority, lane.maxWait());
    } catch (Throwable refused) {
      pool.withdraw();
      throw refused;
    } finally {
      leave(outer);
    }
    permit.whenComplete((granted, failure) -> {
      if (failure != null) {
        pool.withdraw();
        result.completeExceptionally(unwrap(failure));
      } else if (result.isDone()) {
        granted.ignore(); // cancelled while waiting for the permit
        pool.withdraw();
      } else {
        pool.dispatch(new Job<>(task, granted, result));
      }
    });
    result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        permit.cancel(false);
      }
    });
    return result;
  }

  /** Workers for {@code NORMAL} and {@code BACKGROUND} calls: the highest the limit goes. */
  public int threads() {
    return threads;
  }

  /** Workers kept beyond the limit, so {@code CRITICAL} calls run at once. */
  public int criticalThreads() {
    return criticalThreads;
  }

  /**
   * Workers retired so far: after a call failed in a way {@code retireOn} matched, or because
   * their {@code threadInit} failed.
   */
  public long retiredWorkers() {
    return pool.retiredWorkers();
  }

  /** The lane in front of the workers. */
  public Lane lane() {
    return lane;
  }

  /** The library's name, as given to the builder. */
  public String library() {
    return library;
  }

  /**
   * Closes the lane: calls still waiting for a permit fail with {@code CLOSED}, calls already
   * admitted run to completion, and then every worker is torn down and ends. Returns once they
   * have, whichever thread started the close; no native call starts after that.
   *
   * <p>Called from inside the lane (a task, threadInit or threadTeardown on one of its workers,
   * or a listener while it admits a call), close() cannot wait for the workers, its own thread
   * among them: it closes the lane and returns, and the workers finish and end on their own.
   */
  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      Boolean outer = enter();
      try {
        lane.close();
      } finally {
        leave(outer);
        pool.stop();
      }
    }
    if (inside.get() == null && !pool.runsOnWorker()) {
      pool.awaitTermination();
    }
  }

  @Override
  public String toString() {
    return "NativeLane[" + library + ", " + threads + "+" + criticalThreads + " threads, "
        + lane + "]";
  }

  private Boolean enter() {
    Boolean outer = inside.get();
    inside.set(Boolean.TRUE);
    return outer;
  }

  private void leave(Boolean outer) {
    if (outer == null) {
      inside.remove();
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }

  private static Exception rethrowable(Throwable cause) {
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    if (cause instanceof Exception) {
      return (Exception) cause;
    }
    return new UndeclaredThrowableException(cause); // a Throwable that is neither, thrown sneakily
  }

  /** Configures a {@link NativeLane}. */
  public static final class Builder {
    private final String library;
    private NativeProfile profile = NativeProfile.CPU_BOUND;
    private int threads;
    private int criticalThreads = 1;
    private Runnable threadInit = () -> {};
    private Runnable threadTeardown = () -> {};
    private Predicate<Throwable> retireOn = t -> t instanceof Error;
    private int queueCapacity = 1_000;
    private Duration maxWait = Duration.ofSeconds(1);
    private Consumer<LaneBuilder> laneSettings = lane -> {};

    private Builder(String library) {
      Objects.requireNonNull(library, "library");
      if (library.isBlank()) {
        throw new IllegalArgumentException("library name must not be blank");
      }
      this.library = library;
    }

    /** CPU-bound (one thread per processor, the default) or I/O-bound (four per processor). */
    public Builder profile(NativeProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    /** An exact number of workers for the limit, instead of the profile's. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Workers kept beyond the limit for {@code CRITICAL} calls; 1 by default. With 0, a
     * {@code CRITICAL} call still skips the queue, but only while the limit has room.
     */
    public Builder criticalThreads(int criticalThreads) {
      if (criticalThreads < 0) {
        throw new IllegalArgumentException(
            "criticalThreads must be at least 0, was " + criticalThreads);
      }
      this.criticalThreads = criticalThreads;
      return this;
    }

    /**
     * Runs once on each worker thread, before its first call. If it throws, the worker runs no
     * call and a fresh one tries again after a backoff.
     */
    public Builder threadInit(Runnable init) {
      this.threadInit = Objects.requireNonNull(init, "threadInit");
      return this;
    }

    /**
     * Runs on each worker whose threadInit succeeded, as it stops: at close, or when it is
     * retired. A failure is logged and the worker ends anyway.
     */
    public Builder threadTeardown(Runnable teardown) {
      this.threadTeardown = Objects.requireNonNull(teardown, "threadTeardown");
      return this;
    }

    /**
     * Which failures retire the worker they happened on; by default any {@link Error}. A
     * predicate that throws counts as a match.
     */
    public Builder retireOn(Predicate<Throwable> retireOn) {
      this.retireOn = Objects.requireNonNull(retireOn, "retireOn");
      return this;
    }

    /** How many calls may wait for a permit, every priority together. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("queueCapacity must be at least 0, was " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** How long a call waits for a permit before it is refused. */
    public Builder maxWait(Duration maxWait) {
      this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
      return this;
    }

    /**
     * Adjusts the lane in front of the workers: its algorithm, listeners, reserve and so on. Its
     * limits are always {@code [1, threads]}, starting at {@code threads}, and its critical
     * ceiling {@code threads + criticalThreads}, whatever is set here.
     */
    public Builder lane(Consumer<LaneBuilder> settings) {
      this.laneSettings = Objects.requireNonNull(settings, "lane");
      return this;
    }

    /** Adds a listener to the lane in front of the workers. */
    public Builder listener(LaneListener listener) {
      Objects.requireNonNull(listener, "listener");
      Consumer<LaneBuilder> before = laneSettings;
      this.laneSettings = lane -> {
        before.accept(lane);
        lane.listener(listener);
      };
      return this;
    }

    /** Builds the lane and starts its workers. */
    public NativeLane build() {
      return new NativeLane(this);
    }
  }
}
