package dev.lanes.nativelib;

import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.LaneListener;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs calls into a native library (JNI or FFM) on a fixed set of dedicated platform threads, with
 * a {@link Lane} in front of them that decides admission, priority and waiting.
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
 * <p>A call that throws something {@code retireOn} matches (by default any {@link Error}) fails
 * with it, and its worker is retired: torn down, its thread ended, and a fresh worker started in
 * its place, since the library's state on that thread may be corrupt. The lane's limit never
 * exceeds the number of workers, so an admitted call always finds one.
 */
public final class NativeLane implements AutoCloseable {

  private static final Job<?> STOP = new Job<>(null, null, null);

  private final String library;
  private final int threads;
  private final Runnable threadInit;
  private final Runnable threadTeardown;
  private final Predicate<Throwable> retireOn;
  private final Lane lane;
  private final BlockingQueue<Job<?>> jobs = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new CopyOnWriteArrayList<>();
  private final ReentrantLock lifecycle = new ReentrantLock();
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicLong retired = new AtomicLong();
  private volatile boolean closed;

  private NativeLane(Builder builder) {
    this.library = builder.library;
    this.threads = builder.threads > 0 ? builder.threads : builder.profile.threads();
    this.threadInit = builder.threadInit;
    this.threadTeardown = builder.threadTeardown;
    this.retireOn = builder.retireOn;
    LaneBuilder lanes = Lane.builder("native:" + library)
        .maxQueued(builder.queueCapacity)
        .maxWait(builder.maxWait);
    builder.laneSettings.accept(lanes);
    // Set last, so no setting can let the lane admit more calls than there are workers.
    this.lane = lanes.limits(1, threads, threads).build();
    lifecycle.lock();
    try {
      for (int i = 0; i < threads; i++) {
        startWorker();
      }
    } finally {
      lifecycle.unlock();
    }
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
   * @throws InterruptedException if the caller is interrupted; a task already running on a
   *     worker still finishes (native code cannot be stopped), and releases its permit then
   */
  public <T> T call(Priority priority, Callable<T> task) throws Exception {
    Objects.requireNonNull(task, "task");
    Permit permit = lane.acquire(priority);
    CompletableFuture<T> result = new CompletableFuture<>();
    dispatch(new Job<>(task, permit, result));
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw rethrowable(e.getCause());
    }
  }

  /**
   * Runs {@code task} on a worker under a permit of {@code priority}, without blocking the caller.
   * Cancelling the future before the task starts withdraws it; after, the task still finishes.
   */
  public <T> CompletableFuture<T> submit(Priority priority, Callable<T> task) {
    Objects.requireNonNull(task, "task");
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<Permit> permit = lane.acquireAsync(priority, lane.maxWait());
    permit.whenComplete((granted, failure) -> {
      if (failure != null) {
        result.completeExceptionally(unwrap(failure));
      } else if (result.isDone()) {
        granted.ignore(); // cancelled while waiting for the permit
      } else {
        dispatch(new Job<>(task, granted, result));
      }
    });
    result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        permit.cancel(false);
      }
    });
    return result;
  }

  /** The number of worker threads. */
  public int threads() {
    return threads;
  }

  /** Workers retired after a call failed in a way {@code retireOn} matched. */
  public long retiredWorkers() {
    return retired.get();
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
   * admitted run to completion, and then every worker is torn down and joined.
   */
  @Override
  public void close() {
    List<Thread> toJoin;
    lifecycle.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      lane.close();
      toJoin = List.copyOf(workers);
      for (int i = 0; i < toJoin.size(); i++) {
        jobs.add(STOP);
      }
    } finally {
      lifecycle.unlock();
    }
    boolean interrupted = false;
    for (Thread worker : toJoin) {
      while (worker.isAlive()) {
        try {
          worker.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "NativeLane[" + library + ", " + threads + " threads, " + lane + "]";
  }

  private void dispatch(Job<?> job) {
    jobs.add(job);
  }

  /** Called under {@link #lifecycle}. */
  private void startWorker() {
    Thread thread = new Thread(this::work, "lanes-native-" + library + "-"
        + started.incrementAndGet());
    thread.setDaemon(true);
    workers.add(thread);
    thread.start();
  }

  private void work() {
    Throwable initFailure = null;
    try {
      threadInit.run();
    } catch (Throwable t) {
      initFailure = t; // every call this worker takes fails with it, rather than run uninitialised
    }
    try {
      while (true) {
        Job<?> job = jobs.take();
        if (job == STOP) {
          return;
        }
        Throwable failure = job.run(initFailure);
        if (failure != null && initFailure == null && retireOn.test(failure)) {
          retire();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        threadTeardown.run();
      } catch (Throwable ignored) {
        // a failing teardown must not stop the worker from ending
      }
      workers.remove(Thread.currentThread());
    }
  }

  private void retire() {
    retired.incrementAndGet();
    lifecycle.lock();
    try {
      if (!closed) {
        startWorker();
      } else {
        jobs.add(STOP); // nobody else will take this worker's stop
      }
    } finally {
      lifecycle.unlock();
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
    return (Exception) cause;
  }

  /** One admitted call: runs on a worker, releases its permit, then completes its future. */
  private static final class Job<T> {
    private final Callable<T> task;
    private final Permit permit;
    private final CompletableFuture<T> result;

    Job(Callable<T> task, Permit permit, CompletableFuture<T> result) {
      this.task = task;
      this.permit = permit;
      this.result = result;
    }

    /** Runs the task; returns what it threw, or null. */
    Throwable run(Throwable initFailure) {
      if (result.isDone()) {
        permit.ignore(); // the caller cancelled before it started
        return null;
      }
      if (initFailure != null) {
        permit.ignore();
        result.completeExceptionally(new IllegalStateException(
            "the worker's threadInit failed, so it cannot run native calls", initFailure));
        return initFailure;
      }
      T value;
      try {
        value = task.call();
      } catch (Throwable t) {
        permit.ignore(); // a failure says nothing about how long a call takes
        result.completeExceptionally(t);
        return t;
      }
      permit.close();
      result.complete(value);
      return null;
    }
  }

  /** Configures a {@link NativeLane}. */
  public static final class Builder {
    private final String library;
    private NativeProfile profile = NativeProfile.CPU_BOUND;
    private int threads;
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

    /** An exact number of worker threads, instead of the profile's. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Runs once on each worker thread, before its first call. */
    public Builder threadInit(Runnable init) {
      this.threadInit = Objects.requireNonNull(init, "threadInit");
      return this;
    }

    /** Runs on each worker thread as it stops: at close, or when it is retired. */
    public Builder threadTeardown(Runnable teardown) {
      this.threadTeardown = Objects.requireNonNull(teardown, "threadTeardown");
      return this;
    }

    /** Which failures retire the worker they happened on; by default any {@link Error}. */
    public Builder retireOn(Predicate<Throwable> retireOn) {
      this.retireOn = Objects.requireNonNull(retireOn, "retireOn");
      return this;
    }

    /** How many calls may wait for a worker, every priority together. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("queueCapacity must be at least 0, was " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** How long a call waits for a worker before it is refused. */
    public Builder maxWait(Duration maxWait) {
      this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
      return this;
    }

    /**
     * Adjusts the lane in front of the workers: its algorithm, listeners, reserve and so on. Its
     * limits are always {@code [1, threads]}, starting at {@code threads}.
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
