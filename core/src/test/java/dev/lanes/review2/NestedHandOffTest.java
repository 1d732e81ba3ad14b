package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * {@code WaitingRoom.requestDispatch}: once {@code MAX_NESTING} (8) dispatches are nested on one
 * thread (a chain of future callbacks that each release their permit), the dispatch is handed to
 * {@code lane.callbackExecutor().execute(this::requestDispatch)} with no guard.
 *
 * <ul>
 *   <li>With {@code callbackExecutor(Runnable::run)}, which LaneBuilder's Javadoc recommends for
 *       simulations (and the simulator uses), the handed-off task runs inline, still at nesting 8,
 *       and hands itself off again: unbounded recursion until {@link StackOverflowError}, thrown
 *       out of {@code Permit.close()} into the caller's callback.</li>
 *   <li>With an executor that refuses ({@code handOff} in the same class catches exactly this
 *       case, "an executor that refuses"), the {@link RejectedExecutionException} is thrown out of
 *       {@code Permit.close()}.</li>
 * </ul>
 *
 * <p>In both cases {@code Lane.release} stops half-way: the gate already took the permit back,
 * but {@code LatencyWindow.released} never runs, so the call's sample is lost (the brief: "a
 * permit's release lose its sample accounting"), and the user's callback fails with an error it
 * did not cause.
 */
class NestedHandOffTest {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int WAITERS = 12; // more than MAX_NESTING

  @Test
  @Timeout(30)
  void aChainOfReleasingCallbacksOverflowsTheStackWithAnInlineCallbackExecutor() {
    runChain(Runnable::run);
  }

  @Test
  @Timeout(30)
  void aChainOfReleasingCallbacksThrowsTheExecutorsRefusalOutOfPermitClose() {
    Executor refusing = task -> {
      throw new RejectedExecutionException("pool saturated");
    };
    runChain(refusing);
  }

  /** Queues WAITERS async waiters whose callbacks release at once, frees the one permit. */
  private void runChain(Executor executor) {
    Lane lane = Lane.builder("nested").algorithm((w, l) -> l).limits(1, 1, 1)
        .window(WindowConfig.percentile(0.99).minSamples(1_000)) // times every call
        .maxQueued(100).maxWait(LONG).callbackExecutor(executor).build();
    Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<String> failures = new ArrayList<>();
    List<CompletableFuture<Void>> callbacks = new ArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    for (int i = 0; i < WAITERS; i++) {
      CompletableFuture<Permit> f = lane.acquireAsync(Priority.NORMAL, LONG);
      callbacks.add(f.thenAccept(p -> {
        p.close(); // the user's `try (permit) { quickWork(); }`
        closed.incrementAndGet();
      }));
    }
    first.close();
    for (CompletableFuture<Void> c : callbacks) {
      if (c.isCompletedExceptionally()) {
        Throwable t = c.handle((v, e) -> e).join();
        failures.add(String.valueOf(
            t instanceof CompletionException && t.getCause() != null ? t.getCause() : t));
      }
    }
    LaneSnapshot s = lane.snapshot();
    assertThat(lane.inFlight()).as("in flight after the chain").isZero();
    assertThat(failures)
        .as("failures thrown out of Permit.close() in %d chained callbacks (all %d calls"
            + " completed, but only %d of them timed, though a lane this idle times every call)",
            WAITERS, s.completed(Priority.NORMAL), s.timed(Priority.NORMAL))
        .isEmpty();
    assertThat(s.timed(Priority.NORMAL)).as("calls timed").isEqualTo(s.completed(Priority.NORMAL));
  }
}
