package dev.lanes.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Workers that fail: in a task, in the retireOn predicate, in threadInit. */
class NativeLaneWorkerFailureTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final Set<Thread> initialised = ConcurrentHashMap.newKeySet();
  private final AtomicInteger initAttempts = new AtomicInteger();
  private NativeLane lane;

  @AfterEach
  void closeLane() throws InterruptedException {
    if (lane != null) {
      NativeLaneTesting.closeWithin(lane, Duration.ofSeconds(30));
    }
  }

  private static NativeLane.Builder builder(String library) {
    return NativeLane.builder(library)
        .lane(l -> l.algorithm((window, limit) -> limit).maxWait(Duration.ofSeconds(30)));
  }

  /**
   * Defect 5: a retireOn predicate that throws (here on a failure with no message) counts as
   * "retire": the caller sees the task's failure with the predicate's as suppressed, the worker is
   * replaced, and the next call runs.
   */
  @Test
  void aRetireOnPredicateThatThrowsRetiresTheWorker() {
    lane = builder("retire-throws").threads(1)
        .retireOn(t -> t.getMessage().contains("corrupt"))
        .build();
    CompletableFuture<String> failed = lane.submit(Priority.NORMAL, () -> {
      throw new IllegalStateException(); // no message: the predicate throws
    });
    assertThat(failed).failsWithin(PATIENCE).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(e.getSuppressed())
            .singleElement().isInstanceOf(NullPointerException.class));
    assertThat(lane.retiredWorkers()).isEqualTo(1);
    for (int i = 0; i < 20; i++) {
      assertThat(lane.submit(Priority.NORMAL, () -> "served")).succeedsWithin(PATIENCE)
          .isEqualTo("served");
    }
    assertThat(lane.lane().inFlight()).isZero();
  }

  /**
   * Defect 6: one transient threadInit failure among four workers fails no call. The worker whose
   * init failed takes no call at all; a fresh worker takes its place.
   */
  @Test
  void aTransientInitFailureFailsNoCall() throws Exception {
    AtomicBoolean failOnce = new AtomicBoolean(true);
    lane = builder("init-once").threads(4)
        .threadInit(() -> {
          if (failOnce.getAndSet(false)) {
            throw new IllegalStateException("simulated: could not attach to the library");
          }
          initialised.add(Thread.currentThread());
        })
        .build();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> callers = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int c = 0; c < 4; c++) {
      Thread caller = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < 200; i++) {
            int call = i;
            lane.call(Priority.NORMAL, () -> {
              if (!initialised.contains(Thread.currentThread())) {
                throw new AssertionError("ran on an uninitialised worker");
              }
              return call;
            });
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      callers.add(caller);
      caller.start();
    }
    start.countDown();
    for (Thread caller : callers) {
      caller.join();
    }
    assertThat(failures).as("calls that failed").isEmpty();
    assertThat(lane.lane().snapshot().completed(Priority.NORMAL)).isEqualTo(800);
    assertThat(lane.retiredWorkers()).as("the worker whose init failed").isEqualTo(1);
  }

  /**
   * Defect 6: when threadInit keeps failing, calls fail with an error that names the library and
   * carries the init failure, instead of hanging; fresh workers are tried with a backoff, not in a
   * spin.
   */
  @Test
  void aPersistentInitFailureFailsCallsWithAClearError() {
    lane = builder("libfoo").threads(2)
        .threadInit(() -> {
          initAttempts.incrementAndGet();
          throw new UnsatisfiedLinkError("no foo in java.library.path");
        })
        .build();
    for (int i = 0; i < 3; i++) {
      assertThat(lane.submit(Priority.NORMAL, () -> "never")).failsWithin(PATIENCE)
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(IllegalStateException.class)
          .withMessageContaining("libfoo").withMessageContaining("threadInit")
          .withCauseInstanceOf(UnsatisfiedLinkError.class);
    }
    assertThat(lane.lane().inFlight()).isZero();
    // A spin would have made thousands of attempts by now; a backoff a handful.
    assertThat(initAttempts.get()).isBetween(1, 40);
  }

  /** Defect 6: once threadInit works again, a fresh worker takes calls again. */
  @Test
  void theLaneRecoversWhenThreadInitWorksAgain() {
    AtomicInteger failuresLeft = new AtomicInteger(6);
    lane = builder("init-recovers").threads(1)
        .threadInit(() -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("simulated: license server unreachable");
          }
        })
        .build();
    await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() ->
        assertThat(lane.call(Priority.NORMAL, () -> "back")).isEqualTo("back"));
    assertThat(lane.retiredWorkers()).isGreaterThanOrEqualTo(6);
  }

  /** A task that leaves its thread interrupted does not end the worker. */
  @Test
  void aTaskThatInterruptsItsWorkerDoesNotEndIt() throws Exception {
    lane = builder("interrupts").threads(1).criticalThreads(0).build();
    for (int i = 0; i < 5; i++) {
      assertThat(lane.submit(Priority.NORMAL, () -> {
        Thread.currentThread().interrupt();
        return "interrupted itself";
      })).succeedsWithin(PATIENCE);
    }
    assertThat(lane.submit(Priority.NORMAL, () -> Thread.currentThread().isInterrupted()))
        .succeedsWithin(PATIENCE).isEqualTo(false);
    assertThat(lane.retiredWorkers()).isZero();
  }

  /** A caller interrupted while its call waits for a worker withdraws the call. */
  @Test
  void anInterruptedCallerWithdrawsACallNotStarted() throws Exception {
    CountDownLatch initGate = new CountDownLatch(1);
    AtomicBoolean ran = new AtomicBoolean();
    lane = builder("withdrawn").threads(1).criticalThreads(0)
        .threadInit(() -> {
          try {
            initGate.await(); // the only worker is not ready yet
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        })
        .build();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        lane.call(Priority.NORMAL, () -> ran.getAndSet(true));
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    caller.start();
    await().atMost(PATIENCE).until(() -> lane.lane().inFlight() == 1
        && caller.getState() == Thread.State.WAITING);
    caller.interrupt();
    assertThat(outcome).succeedsWithin(PATIENCE).isInstanceOf(InterruptedException.class);
    initGate.countDown();
    await().atMost(PATIENCE).until(() -> lane.lane().inFlight() == 0);
    assertThat(lane.call(Priority.NORMAL, () -> "later")).isEqualTo("later");
    assertThat(ran).as("the withdrawn task ran").isFalse();
  }
}
