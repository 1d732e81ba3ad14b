package dev.lanes.nativelib;

import static dev.lanes.nativelib.NativeLaneTesting.workerThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.LaneListener;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a native lane closes: admitted calls still run, and a task may close its own lane. */
class NativeLaneCloseTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final AtomicInteger inits = new AtomicInteger();
  private final AtomicInteger teardowns = new AtomicInteger();
  private NativeLane lane;

  @AfterEach
  void closeLane() throws InterruptedException {
    if (lane != null) {
      NativeLaneTesting.closeWithin(lane, Duration.ofSeconds(30));
    }
  }

  private NativeLane.Builder builder(String library, PausingTicker ticker) {
    return NativeLane.builder(library)
        .lane(l -> l.algorithm((window, limit) -> limit).ticker(ticker)
            .maxWait(Duration.ofSeconds(30)))
        .threadInit(inits::incrementAndGet)
        .threadTeardown(teardowns::incrementAndGet);
  }

  /**
   * Defect 4: a call admitted before close() whose job reaches the workers after close() began is
   * run, not stranded. The caller is held between admission and the hand-over while close() runs.
   */
  @ParameterizedTest(name = "via submit: {0}")
  @ValueSource(booleans = {false, true})
  void aCallAdmittedBeforeCloseButHandedOverAfterItStillRuns(boolean viaSubmit) throws Exception {
    String library = "close-race-" + viaSubmit;
    PausingTicker ticker = new PausingTicker();
    lane = builder(library, ticker).threads(1).build();
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      ticker.pauseThisThreadOnce();
      try {
        if (viaSubmit) {
          lane.submit(Priority.NORMAL, () -> "ran").whenComplete((value, failure) -> {
            if (failure != null) {
              result.completeExceptionally(failure);
            } else {
              result.complete(value);
            }
          });
        } else {
          result.complete(lane.call(Priority.NORMAL, () -> "ran"));
        }
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "caller");
    caller.start();
    ticker.awaitPaused();
    assertThat(lane.lane().inFlight()).as("the caller holds its permit").isOne();

    Thread closer = new Thread(lane::close, "closer");
    closer.start();
    await().atMost(PATIENCE).until(() -> lane.lane().isClosed()
        && (closer.getState() == Thread.State.WAITING
            || closer.getState() == Thread.State.TERMINATED));
    ticker.resume();

    assertThat(result).succeedsWithin(PATIENCE).isEqualTo("ran");
    closer.join(PATIENCE.toMillis());
    assertThat(closer.isAlive()).as("close() returned").isFalse();
    assertThat(lane.lane().inFlight()).isZero();
    assertThat(workerThreads(library)).isEmpty();
    assertThat(teardowns.get()).isEqualTo(inits.get());
  }

  /** Defect 7: close() from inside a task returns; the lane then winds down on its own. */
  @Test
  void aTaskMayCloseItsOwnLane() {
    lane = builder("close-inside", new PausingTicker()).threads(2).build();
    NativeLane self = lane;
    CompletableFuture<String> submitted = lane.submit(Priority.NORMAL, () -> {
      self.close();
      return "closed from inside";
    });
    assertThat(submitted).succeedsWithin(PATIENCE).isEqualTo("closed from inside");
    assertThat(lane.lane().isClosed()).isTrue();
    await().atMost(PATIENCE).until(() -> workerThreads("close-inside").isEmpty());
    assertThat(teardowns.get()).isEqualTo(inits.get());
  }

  /** Defect 7, through call(): the caller waits for the task, the task closes the lane. */
  @Test
  void aCalledTaskMayCloseItsOwnLane() {
    lane = builder("close-inside-call", new PausingTicker()).threads(1).build();
    NativeLane self = lane;
    CompletableFuture<Integer> caller = CompletableFuture.supplyAsync(() -> {
      try {
        return self.call(Priority.NORMAL, () -> {
          self.close();
          return 7;
        });
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(caller).succeedsWithin(PATIENCE).isEqualTo(7);
    await().atMost(PATIENCE).until(() -> workerThreads("close-inside-call").isEmpty());
  }

  /**
   * A call queued while its worker is being replaced still runs when the lane closes meanwhile:
   * the replacement is not abandoned, and close() waits for it. If the replacement's threadInit
   * fails, one more fresh worker is started for the call, though the lane is closing.
   */
  @ParameterizedTest(name = "replacement's init fails: {0}")
  @ValueSource(booleans = {false, true})
  void aCallQueuedBehindAReplacementRunsThoughTheLaneCloses(boolean replacementInitFails)
      throws Exception {
    String library = "close-replacing-" + replacementInitFails;
    CountDownLatch replacementInit = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    lane = NativeLane.builder(library).threads(1).criticalThreads(0)
        .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)))
        .threadInit(() -> {
          if (attempts.incrementAndGet() == 2) {
            try {
              replacementInit.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            if (replacementInitFails) {
              throw new IllegalStateException("simulated: the replacement's init failed");
            }
          }
          inits.incrementAndGet();
        })
        .threadTeardown(teardowns::incrementAndGet)
        .build();
    assertThat(lane.submit(Priority.NORMAL, () -> {
      throw new InternalError("simulated crash");
    })).failsWithin(PATIENCE);
    await().atMost(PATIENCE).until(() -> attempts.get() == 2); // the replacement is in init
    CompletableFuture<String> queued = lane.submit(Priority.NORMAL, () -> "ran after all");
    Thread closer = new Thread(lane::close, "closer");
    closer.start();
    await().atMost(PATIENCE).until(() -> closer.getState() == Thread.State.WAITING);
    assertThat(queued).isNotDone();
    replacementInit.countDown();
    assertThat(queued).succeedsWithin(PATIENCE).isEqualTo("ran after all");
    closer.join(PATIENCE.toMillis());
    assertThat(closer.isAlive()).isFalse();
    assertThat(workerThreads(library)).isEmpty();
    assertThat(teardowns.get()).isEqualTo(inits.get());
    assertThat(lane.retiredWorkers()).isEqualTo(replacementInitFails ? 2 : 1);
  }

  /** close() from a second thread also returns only once the workers are gone. */
  @Test
  void everyCloserWaitsForTheWorkers() throws Exception {
    lane = builder("two-closers", new PausingTicker()).threads(2).build();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> task = lane.submit(Priority.NORMAL, () -> {
      running.countDown();
      release.await();
      return "done";
    });
    running.await();
    Thread first = new Thread(lane::close, "first closer");
    Thread second = new Thread(lane::close, "second closer");
    first.start();
    second.start();
    await().atMost(PATIENCE).until(() -> first.getState() == Thread.State.WAITING
        && second.getState() == Thread.State.WAITING);
    release.countDown();
    second.join(PATIENCE.toMillis());
    assertThat(second.isAlive()).isFalse();
    assertThat(workerThreads("two-closers")).as("workers after close() returned").isEmpty();
    assertThat(task).isCompletedWithValue("done");
    first.join(PATIENCE.toMillis());
  }

  /**
   * A listener that closes the lane while the lane refuses a call runs on the refused caller's
   * thread, inside the admission: close() must not wait there for the workers, which wait for
   * that very call to settle.
   */
  @Test
  void aListenerMayCloseTheLaneWhileItRefusesACall() throws Exception {
    AtomicReference<NativeLane> self = new AtomicReference<>();
    lane = NativeLane.builder("close-listener").threads(1).criticalThreads(0)
        .lane(l -> l.algorithm((window, limit) -> limit).maxQueued(0))
        .listener(new LaneListener() {
          @Override
          public void onRejected(Lane refusing, Priority priority, Reason reason) {
            self.get().close();
          }
        })
        .build();
    self.set(lane);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> held = lane.submit(Priority.NORMAL, () -> {
      running.countDown();
      release.await();
      return "held";
    });
    running.await();
    CompletableFuture<Object> refused = CompletableFuture.supplyAsync(() -> {
      try {
        return self.get().call(Priority.NORMAL, () -> "never");
      } catch (Exception e) {
        return e;
      }
    });
    try {
      assertThat(refused).succeedsWithin(PATIENCE)
          .isInstanceOfSatisfying(LaneRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.QUEUE_FULL));
      assertThat(lane.lane().isClosed()).isTrue();
    } finally {
      release.countDown();
    }
    assertThat(held).succeedsWithin(PATIENCE).isEqualTo("held");
    await().atMost(PATIENCE).until(() -> workerThreads("close-listener").isEmpty());
  }
}
