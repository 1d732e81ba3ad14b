package dev.lanes.nativelib;

import static dev.lanes.nativelib.NativeLaneTesting.workerThreads;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Many rounds, each a fresh native lane under every kind of trouble at once: submits and calls
 * racing close(), tasks whose failure makes the retireOn predicate throw, tasks that crash their
 * worker, threadInit failing now and then, and CRITICAL calls while the workers of the limit are
 * held. Every round must end clean: every future complete, no task started after close()
 * returned, every worker thread gone, every initialised worker torn down, and in-flight 0.
 *
 * <p>Rerun a failure with {@code -Dlanes.stress.seed=<seed>}, the seed the failure prints; run
 * longer with {@code -Dlanes.stress.rounds=<n>}.
 */
class NativeLaneStressTest {

  private static final int ROUNDS = Integer.getInteger("lanes.stress.rounds", 200);
  private static final int CALLERS = 4;
  private static final int CALLS_PER_CALLER = 30;
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  /** Refusals a CRITICAL call may meet: it never waits, so never TIMEOUT, QUEUE_FULL or EVICTED. */
  private static final Set<Reason> CRITICAL_REFUSALS = EnumSet.of(Reason.CEILING, Reason.CLOSED);

  @Test
  void everyRoundEndsClean() throws Exception {
    long seed = Long.getLong("lanes.stress.seed", System.nanoTime());
    // The rounds fail threadInit on purpose, hundreds of times; keep its warnings out of the log.
    Logger log = Logger.getLogger(NativeLane.class.getName());
    Level level = log.getLevel();
    log.setLevel(Level.SEVERE);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        try {
          new Round(seed, round).run();
        } catch (Throwable t) {
          throw new AssertionError("stress round " + round + " failed; rerun with"
              + " -Dlanes.stress.seed=" + seed, t);
        }
      }
    } finally {
      log.setLevel(level);
    }
    System.out.println("native lane stress, " + ROUNDS + " rounds, seed " + seed + ": " + SEEN);
    // The rounds must have met every kind of trouble, or they proved little.
    assertThat(SEEN).as("outcomes seen over %d rounds, seed %d", ROUNDS, seed)
        .allSatisfy((what, count) -> assertThat(count.get()).as(what).isPositive());
  }

  /** How often each kind of trouble happened over all rounds. */
  private static final Map<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();

  static {
    for (String what : List.of("ran", "refused CLOSED", "retired by a throwing predicate",
        "retired by a crash", "threadInit failed",
        "CRITICAL ran while the limit's workers were held")) {
      SEEN.put(what, new AtomicInteger());
    }
  }

  private static void seen(String what) {
    SEEN.get(what).incrementAndGet();
  }

  /** What a task does when it runs. */
  private enum Kind {
    /** Returns at once. */
    RETURN,
    /** Waits for the round's gate, holding its worker, then returns. */
    HOLD,
    /** Throws an exception without a message: the retireOn predicate throws on it. */
    PREDICATE_THROWS,
    /** Throws an Error the predicate matches: a crash that retires the worker. */
    CRASH,
    /** Throws an ordinary exception: the worker stays. */
    BAD_INPUT
  }

  private static final class Round {
    private final long seed;
    private final int round;
    private final Random random;
    private final String library;
    private final AtomicInteger initAttempts = new AtomicInteger();
    private final Set<Thread> initialised = ConcurrentHashMap.newKeySet();
    private final AtomicInteger teardowns = new AtomicInteger();
    private final AtomicInteger successfulInits = new AtomicInteger();
    private final AtomicBoolean closeReturned = new AtomicBoolean();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger holding = new AtomicInteger();
    private int threads;

    Round(long seed, int round) {
      this.seed = seed;
      this.round = round;
      this.random = new Random(seed * 31 + round);
      this.library = "stress-" + round;
    }

    void run() throws Exception {
      threads = 1 + random.nextInt(3);
      int criticalThreads = random.nextInt(2);
      NativeLane lane = NativeLane.builder(library)
          .threads(threads)
          .criticalThreads(criticalThreads)
          .retireOn(t -> t.getMessage().contains("corrupt")) // throws on a null message
          .threadInit(this::init)
          .threadTeardown(teardowns::incrementAndGet)
          .lane(l -> l.algorithm((window, limit) -> limit).maxQueued(32)
              .maxWait(Duration.ofSeconds(10)))
          .build();

      List<Call> calls = new CopyOnWriteArrayList<>();
      AtomicInteger submitted = new AtomicInteger();
      // Submitters make CALLERS / 2 * CALLS_PER_CALLER submits; the lane closes after a random
      // number of them, and the HOLD tasks are let go after another random number.
      int submits = CALLERS / 2 * CALLS_PER_CALLER;
      int closeAfter = 1 + random.nextInt(submits);
      int releaseAfter = 1 + random.nextInt(submits);
      CountDownLatch closeNow = new CountDownLatch(1);
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> callers = new ArrayList<>();
      for (int c = 0; c < CALLERS; c++) {
        boolean blocking = c % 2 == 1; // half call(), half submit()
        long callerSeed = random.nextLong();
        Thread caller = new Thread(() -> {
          SplittableRandom own = new SplittableRandom(callerSeed);
          await(start);
          int afterClose = 0;
          for (int i = 0; i < CALLS_PER_CALLER && afterClose < 3; i++) {
            if (lane.lane().isClosed()) {
              afterClose++; // a few calls after close() are enough to see them refused
            }
            Call call = new Call(priority(own), kind(own));
            calls.add(call);
            call.start(lane, blocking);
            if (!blocking) {
              call.pace(own); // so that not every submit lands before the first call runs
              int n = submitted.incrementAndGet();
              if (n == closeAfter) {
                closeNow.countDown();
              }
              if (n == releaseAfter) {
                gate.countDown();
              }
            }
          }
          closeNow.countDown();
        }, "caller-" + c);
        callers.add(caller);
        caller.start();
      }
      Thread closer = new Thread(() -> {
        await(closeNow);
        lane.close();
        closeReturned.set(true);
      }, "closer");
      closer.start();
      start.countDown();

      await(closeNow);
      waitUntil(() -> lane.lane().isClosed());
      gate.countDown(); // lets HOLD tasks finish, so close() can
      for (Thread caller : callers) {
        caller.join(PATIENCE.toMillis());
        assertThat(caller.isAlive()).as("%s still running", caller.getName()).isFalse();
      }
      closer.join(PATIENCE.toMillis());
      assertThat(closer.isAlive()).as("close() returned").isFalse();

      assertThat(lane.lane().inFlight()).as("in flight after close()").isZero();
      assertThat(workerThreads(library)).as("worker threads after close()").isEmpty();
      assertThat(teardowns.get()).as("teardowns").isEqualTo(successfulInits.get());
      assertThat(calls).isNotEmpty();
      for (Call call : calls) {
        call.check(lane);
      }
      assertThat(violations).isEmpty();
    }

    private void init() {
      int attempt = initAttempts.incrementAndGet();
      if (new SplittableRandom(seed ^ (round * 1_000_003L + attempt)).nextInt(5) == 0) {
        seen("threadInit failed");
        throw new IllegalStateException("simulated: threadInit failed, attempt " + attempt);
      }
      initialised.add(Thread.currentThread());
      successfulInits.incrementAndGet();
    }

    private static Priority priority(SplittableRandom random) {
      int p = random.nextInt(10);
      return p < 2 ? Priority.CRITICAL : p < 7 ? Priority.NORMAL : Priority.BACKGROUND;
    }

    private static Kind kind(SplittableRandom random) {
      int k = random.nextInt(20);
      if (k < 10) {
        return Kind.RETURN;
      }
      if (k < 14) {
        return Kind.HOLD;
      }
      return k < 16 ? Kind.PREDICATE_THROWS : k < 17 ? Kind.CRASH : Kind.BAD_INPUT;
    }

    /** One call of the round and what became of it. */
    private final class Call {
      private final Priority priority;
      private final Kind kind;
      private final AtomicInteger runs = new AtomicInteger();
      private final CompletableFuture<Object> outcome = new CompletableFuture<>();

      Call(Priority priority, Kind kind) {
        this.priority = priority;
        this.kind = kind;
      }

      void start(NativeLane lane, boolean blocking) {
        if (blocking) {
          try {
            outcome.complete(lane.call(priority, this::task));
          } catch (Throwable t) {
            outcome.completeExceptionally(t);
          }
        } else {
          try {
            lane.submit(priority, this::task).whenComplete((value, failure) -> {
              if (failure != null) {
                outcome.completeExceptionally(failure);
              } else {
                outcome.complete(value);
              }
            });
          } catch (Throwable t) {
            outcome.completeExceptionally(t);
          }
        }
      }

      /** Gives the call a moment to finish; only pacing, so a call still running is fine. */
      void pace(SplittableRandom random) {
        try {
          outcome.get(random.nextInt(200), TimeUnit.MICROSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          // checked at the end of the round
        }
      }

      private Object task() throws Exception {
        runs.incrementAndGet();
        if (closeReturned.get()) {
          violations.add(priority + " " + kind + " task started after close() returned");
        }
        if (!initialised.contains(Thread.currentThread())) {
          violations.add("a task ran on a worker whose threadInit had not succeeded: "
              + Thread.currentThread().getName());
        }
        if (priority == Priority.CRITICAL && holding.get() >= threads) {
          seen("CRITICAL ran while the limit's workers were held");
        }
        switch (kind) {
          case HOLD:
            holding.incrementAndGet();
            try {
              gate.await();
            } finally {
              holding.decrementAndGet();
            }
            return kind;
          case PREDICATE_THROWS:
            throw new IllegalStateException();
          case CRASH:
            throw new InternalError("corrupt state in native code (simulated)");
          case BAD_INPUT:
            throw new IllegalArgumentException("bad input (simulated)");
          default:
            return kind;
        }
      }

      void check(NativeLane lane) throws InterruptedException {
        String what = priority + " " + kind;
        try {
          Object value = outcome.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
          assertThat(value).as(what).isEqualTo(kind);
          assertThat(runs.get()).as(what + ": runs").isOne();
          seen("ran");
        } catch (TimeoutException e) {
          throw new AssertionError(what + ": never completed");
        } catch (ExecutionException e) {
          checkFailure(what, e.getCause());
        }
      }

      private void checkFailure(String what, Throwable failure) {
        if (failure instanceof LaneRejectedException) {
          Reason reason = ((LaneRejectedException) failure).reason();
          if (priority == Priority.CRITICAL) {
            assertThat(reason).as(what + ": refusal").isIn(CRITICAL_REFUSALS);
          }
          assertThat(runs.get()).as(what + ": runs after a refusal").isZero();
          if (reason == Reason.CLOSED) {
            seen("refused CLOSED");
          }
          return;
        }
        if (failure instanceof IllegalStateException && failure.getMessage() != null
            && failure.getMessage().contains("threadInit failed")) {
          assertThat(failure.getMessage()).as(what).contains(library);
          assertThat(runs.get()).as(what + ": runs after failing fast").isZero();
          return;
        }
        assertThat(runs.get()).as(what + ": runs").isOne();
        switch (kind) {
          case PREDICATE_THROWS:
            assertThat(failure).as(what).isInstanceOf(IllegalStateException.class)
                .hasMessage(null);
            assertThat(failure.getSuppressed()).as(what + ": suppressed")
                .singleElement().isInstanceOf(NullPointerException.class);
            seen("retired by a throwing predicate");
            break;
          case CRASH:
            assertThat(failure).as(what).isInstanceOf(InternalError.class);
            seen("retired by a crash");
            break;
          case BAD_INPUT:
            assertThat(failure).as(what).isInstanceOf(IllegalArgumentException.class);
            break;
          default:
            throw new AssertionError(what + ": unexpected failure", failure);
        }
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("latch not released in " + PATIENCE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void waitUntil(BooleanSupplier condition) {
    Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
        .atMost(PATIENCE).until(condition::getAsBoolean);
  }
}
