package dev.lanes.nativelib;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.Priority;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import jdk.jfr.FlightRecorder;

/**
 * The worker threads behind a native lane's admission: it starts them, runs their threadInit and
 * threadTeardown, retires and replaces them, and stops them.
 *
 * <p>The lane admits at most as many calls as the pool has workers, so a job normally waits here
 * only for the moment it takes a worker to pick it up. It waits longer only while a worker is
 * being replaced. CRITICAL jobs are picked up before the others.
 *
 * <p>A worker whose threadInit fails takes no job: it is retired, and a fresh thread tries again
 * after a backoff that doubles with each failure in a row. After {@link #FAIL_FAST_AFTER} failures
 * in a row, and while no worker is ready, jobs fail at once with an error naming the library
 * instead of waiting; fresh threads keep being tried, so the lane recovers once threadInit works.
 *
 * <p>Stopping: once {@link #stop()} is called the workers finish every job queued, and every job
 * still on its way from an admitted call ({@link #announce()}), and then end. The lane is closed
 * before the pool stops, so once nothing is queued or announced nothing more can come.
 */
final class WorkerPool {

  /** Init failures in a row after which jobs fail at once while no worker is ready. */
  static final int FAIL_FAST_AFTER = 5;

  private static final System.Logger LOG = System.getLogger(NativeLane.class.getName());
  /** A runtime image may leave out jdk.jfr; then no event class is ever loaded. */
  private static final boolean JFR_PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
  private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(10).toNanos();
  private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();

  private final String library;
  private final Lane lane;
  private final Runnable threadInit;
  private final Runnable threadTeardown;
  private final Predicate<Throwable> retireOn;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a job is queued, and when the pool may have become ready to stop. */
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Job<?>> critical = new ArrayDeque<>();
  private final ArrayDeque<Job<?>> others = new ArrayDeque<>();
  /** Calls between the start of their admission and the queue; workers wait for them. */
  private final AtomicInteger announced = new AtomicInteger();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final CountDownLatch terminated = new CountDownLatch(1);
  /** Every thread started and not yet joined; dead ones are pruned when a thread starts. */
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger names = new AtomicInteger();
  private final AtomicLong retired = new AtomicLong();
  private volatile boolean stopping;
  // Guarded by lock.
  private int starting; // threads in their backoff or threadInit
  private int ready; // threads that take jobs
  private int alive; // threads not yet ended, teardown included
  private int initFailuresInARow;
  private Throwable lastFailure; // of threadInit, or of starting a thread

  WorkerPool(String library, Lane lane, Runnable threadInit, Runnable threadTeardown,
      Predicate<Throwable> retireOn) {
    this.library = library;
    this.lane = lane;
    this.threadInit = threadInit;
    this.threadTeardown = threadTeardown;
    this.retireOn = retireOn;
  }

  /** Starts {@code count} workers. */
  void start(int count) {
    lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        startThread(0);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Says that a call has started its admission: until it {@link #dispatch dispatches} or
   * {@link #withdraw withdraws}, a stopping pool waits for it.
   */
  void announce() {
    announced.incrementAndGet();
  }

  /** An announced call was refused or cancelled, and brings no job. */
  void withdraw() {
    if (announced.decrementAndGet() == 0 && stopping) {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Hands an admitted call's job to the workers, or fails it if none can run it. */
  void dispatch(Job<?> job) {
    Function<Priority, RuntimeException> refusal;
    lock.lock();
    try {
      refusal = refusalLocked();
      if (refusal == null) {
        (job.priority() == Priority.CRITICAL ? critical : others).add(job);
        changed.signal();
        if (announced.decrementAndGet() == 0 && stopping) {
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
    if (refusal != null) {
      // Fail first, withdraw after: once a stopping pool sees nothing announced, every permit of
      // its calls is back.
      job.fail(refusal.apply(job.priority()));
      withdraw();
    }
  }

  /**
   * Stops the pool: the workers finish what is queued and announced, tear down and end. Threads
   * waiting out a backoff stop waiting.
   */
  void stop() {
    Runnable failOrphans;
    boolean nobodyAlive;
    lock.lock();
    try {
      if (stopping) {
        return;
      }
      stopping = true;
      changed.signalAll();
      failOrphans = orphansLocked();
      nobodyAlive = alive == 0;
    } finally {
      lock.unlock();
    }
    stopSignal.countDown();
    failOrphans.run();
    if (nobodyAlive) {
      terminated.countDown();
    }
  }

  /**
   * Waits until every worker has ended and its thread is gone, this thread aside if it is one;
   * an interrupt is kept for later, not obeyed.
   */
  void awaitTermination() {
    boolean interrupted = false;
    while (true) {
      try {
        terminated.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    // Every worker has done its last work; wait out the few instructions each has left. Not with
    // Thread.join, which waits in Object.wait and so pins a virtual caller's carrier on JDK 21.
    for (Thread thread : threads) {
      while (thread != Thread.currentThread() && thread.isAlive()) {
        Thread.yield();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the calling thread is one of this pool's workers. */
  boolean runsOnWorker() {
    return threads.contains(Thread.currentThread());
  }

  /** Workers retired so far, for a failure retireOn matched or a failed threadInit. */
  long retiredWorkers() {
    return retired.get();
  }

  // ---- under the lock ----

  private void startThread(long backoffNanos) {
    Thread thread = new Thread(new Worker(backoffNanos),
        "lanes-native-" + library + "-" + names.incrementAndGet());
    thread.setDaemon(true);
    threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
    starting++;
    alive++;
    threads.add(thread);
    try {
      thread.start();
    } catch (Throwable e) { // e.g. OutOfMemoryError: unable to create native thread
      starting--;
      alive--;
      threads.remove(thread);
      lastFailure = e;
      LOG.log(Level.ERROR, "native lane '" + library + "' could not start a worker thread", e);
    }
  }

  /** Whether a thread that is retiring, or failed its init, needs a successor. */
  private boolean needsSuccessorLocked() {
    if (!stopping) {
      return true;
    }
    // Stopping: only the last thread that could run what is still to come is replaced.
    return ready == 0 && starting == 0 && !quiescentLocked()
        && initFailuresInARow < FAIL_FAST_AFTER;
  }

  private boolean quiescentLocked() {
    return critical.isEmpty() && others.isEmpty() && announced.get() == 0;
  }

  /** Why no worker can run a job now, as the error for a job of a priority; null if one can. */
  private Function<Priority, RuntimeException> refusalLocked() {
    boolean failingInit = initFailuresInARow >= FAIL_FAST_AFTER;
    if (ready > 0 || (starting > 0 && !failingInit)) {
      return null;
    }
    Throwable cause = lastFailure;
    if (failingInit) {
      String message = "native lane '" + library + "': threadInit failed on "
          + initFailuresInARow + " fresh workers in a row and no worker is ready, so the call"
          + " was not run; a fresh worker is tried at least every "
          + Duration.ofNanos(MAX_BACKOFF_NANOS).toMillis() + " ms";
      return priority -> new IllegalStateException(message, cause);
    }
    if (stopping) {
      return priority -> new LaneRejectedException(LaneRejectedException.Reason.CLOSED,
          lane.name(), priority, lane.limit(), lane.inFlight());
    }
    return priority -> new IllegalStateException(
        "native lane '" + library + "': no worker thread could be started", cause);
  }

  /**
   * Takes every queued job out if none can be run now, and returns what fails them; the caller
   * runs it after unlocking, since failing a job completes its caller's future.
   */
  private Runnable orphansLocked() {
    Function<Priority, RuntimeException> refusal = refusalLocked();
    if (refusal == null || (critical.isEmpty() && others.isEmpty())) {
      return () -> {};
    }
    List<Job<?>> orphans = new ArrayList<>(critical);
    orphans.addAll(others);
    critical.clear();
    others.clear();
    return () -> orphans.forEach(job -> job.fail(refusal.apply(job.priority())));
  }

  private static long backoffNanos(int failuresInARow) {
    int doublings = Math.min(failuresInARow - 1, 20);
    return Math.min(FIRST_BACKOFF_NANOS << doublings, MAX_BACKOFF_NANOS);
  }

  /** One worker thread, from its backoff through threadInit and its jobs to its teardown. */
  private final class Worker implements Runnable {

    private final long backoffNanos;
    private boolean retiredAlready; // confined to this worker's thread

    Worker(long backoffNanos) {
      this.backoffNanos = backoffNanos;
    }

    @Override
    public void run() {
      try {
        if (awaitTurn() && initialise()) {
          serve();
        }
      } finally {
        ended();
      }
    }

    /** Waits out the backoff; false if the pool stopped and has nothing left for this thread. */
    private boolean awaitTurn() {
      if (backoffNanos > 0) {
        awaitStopSignal(backoffNanos);
      }
      lock.lock();
      try {
        if (stopping && quiescentLocked()) {
          starting--;
          return false;
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    private boolean initialise() {
      try {
        threadInit.run();
      } catch (Throwable failure) {
        initFailed(failure);
        return false;
      }
      lock.lock();
      try {
        starting--;
        ready++;
        initFailuresInARow = 0;
        lastFailure = null;
      } finally {
        lock.unlock();
      }
      return true;
    }

    private void initFailed(Throwable failure) {
      recordRetirement(failure);
      Runnable failOrphans;
      boolean firstOfARun;
      lock.lock();
      try {
        starting--;
        initFailuresInARow++;
        lastFailure = failure;
        firstOfARun = initFailuresInARow == 1;
        if (needsSuccessorLocked()) {
          startThread(backoffNanos(initFailuresInARow));
        }
        failOrphans = orphansLocked();
      } finally {
        lock.unlock();
      }
      if (firstOfARun) { // later failures of the run are counted, and recorded by JFR
        LOG.log(Level.WARNING, "threadInit of native lane '" + library + "' failed on "
            + Thread.currentThread().getName() + "; retrying on fresh workers with a backoff",
            failure);
      }
      failOrphans.run();
    }

    private void serve() {
      try {
        for (Job<?> job = take(); job != null; job = take()) {
          if (!runOne(job)) {
            return;
          }
        }
      } catch (Throwable unexpected) {
        // The pool's own code or a callback of a completed future broke on this thread: it is
        // not to be trusted with more native calls.
        retire(unexpected);
      } finally {
        try {
          threadTeardown.run();
        } catch (Throwable t) {
          LOG.log(Level.WARNING, "threadTeardown of native lane '" + library + "' failed on "
              + Thread.currentThread().getName(), t);
        }
      }
    }

    /** Runs one job; false if the worker retired after it. */
    private boolean runOne(Job<?> job) {
      boolean retire = false;
      try {
        Throwable failure = job.run();
        Thread.interrupted(); // an interrupt a task left behind must not reach the next one
        if (failure != null && shouldRetire(failure)) {
          retire = true;
          retire(failure); // before the caller hears of the failure, so it is counted by then
        }
      } finally {
        job.complete(lane);
      }
      return !retire;
    }

    private boolean shouldRetire(Throwable failure) {
      try {
        return retireOn.test(failure);
      } catch (Throwable predicateFailure) {
        if (predicateFailure != failure) {
          failure.addSuppressed(predicateFailure);
        }
        return true; // a predicate that cannot decide leaves a worker that cannot be trusted
      }
    }

    private void retire(Throwable cause) {
      if (retiredAlready) {
        return;
      }
      retiredAlready = true;
      recordRetirement(cause);
      Runnable failOrphans;
      lock.lock();
      try {
        ready--;
        if (needsSuccessorLocked()) {
          startThread(0);
        }
        failOrphans = orphansLocked();
      } finally {
        lock.unlock();
      }
      failOrphans.run();
    }

    /** The next job, CRITICAL first; null once the pool stops and nothing is left to come. */
    private Job<?> take() {
      lock.lock();
      try {
        while (true) {
          Job<?> job = critical.poll();
          if (job == null) {
            job = others.poll();
          }
          if (job != null) {
            return job;
          }
          if (stopping && announced.get() == 0) {
            ready--;
            return null;
          }
          changed.awaitUninterruptibly();
        }
      } finally {
        lock.unlock();
      }
    }

    private void ended() {
      Runnable failOrphans;
      boolean last;
      lock.lock();
      try {
        alive--;
        failOrphans = orphansLocked();
        last = alive == 0 && stopping;
      } finally {
        lock.unlock();
      }
      failOrphans.run();
      if (last) {
        terminated.countDown(); // after the orphans' permits are back
      }
    }

    private void awaitStopSignal(long nanos) {
      long deadline = System.nanoTime() + nanos;
      for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
        try {
          if (stopSignal.await(left, TimeUnit.NANOSECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          // Nobody interrupts a worker on purpose; the pool stops it through stopSignal.
        }
      }
    }
  }

  private void recordRetirement(Throwable cause) {
    if (JFR_PRESENT && FlightRecorder.isInitialized()) {
      NativeWorkerRetired.emit(library, cause);
    }
    retired.incrementAndGet();
  }
}
