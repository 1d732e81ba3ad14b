package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * Rule 5: "No call is refused before its maxWait while it could still be served." ADAPTIVE's early
 * TIMEOUT ({@code WaitingRoom.clearlyTooLate}) counts every queued waiter as a hand-over the new
 * call must wait for, whatever that waiter's own maxWait. A queue of impatient callers that will
 * all have given up long before makes a patient caller "clearly too late": it is refused at once,
 * although it would be at the head of the queue, and served, halfway through its maxWait.
 *
 * <p>Script (virtual time, limit 1, every call 10 ms): 10 patient waiters and 40 that wait at most
 * 150 ms queue at t = 0, before the lane has measured anything (so no one is refused early). The
 * 10 patient ones are served at 10 ms each; the queue never empties. At t = 101 ms a call with
 * 100 ms to wait arrives: the watch measures a hold of 10 ms, i.e. 5 ms a hand-over with its
 * factor 2, and 40 ahead: (41 - 3 sqrt 41) x 5 ms = 110 ms > 100 ms, TIMEOUT at once. Under FIFO
 * the same call is at the head at t = 150 ms, when the 36 impatient waiters still queued give up,
 * and it is served at t = 151 ms, 50 ms before its deadline.
 */
class EarlyTimeoutBehindImpatientWaitersTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = QueueOrder.class, names = {"FIFO", "ADAPTIVE"})
  void aPatientCallBehindImpatientOnesIsRefusedAtOnce(QueueOrder order) {
    Clock clock = new Clock();
    Lane lane = Lane.builder("impatient").algorithm((w, l) -> l).limits(1, 1, 1)
        .ticker(clock).scheduler(clock).window(WindowConfig.disabled())
        .callbackExecutor(Runnable::run).queueOrder(order).build();

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      queued.add(lane.acquireAsync(Priority.NORMAL, LONG));               // patient
    }
    for (int i = 0; i < 40; i++) {
      queued.add(lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(150))); // impatient
    }
    assertThat(queued).noneMatch(CompletableFuture::isDone);

    // t = 0..100 ms: ten calls of 10 ms each; each freed permit goes to the next waiter.
    for (int i = 0; i < 10; i++) {
      clock.advanceMillis(10);
      held.close();
      held = queued.get(i).join();
    }
    clock.advanceMillis(1);
    CompletableFuture<Permit> victim = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(100));
    boolean refusedAtOnce = victim.isDone();
    Reason reason = refusedAtOnce ? reasonOf(victim) : null;

    // The lane goes on serving 10 ms calls; the impatient waiters give up at t = 150 ms.
    java.util.Set<CompletableFuture<Permit>> taken = new java.util.HashSet<>(queued.subList(0, 10));
    List<CompletableFuture<Permit>> all = new ArrayList<>(queued);
    all.add(victim);
    while (!victim.isDone() && held != null) {
      clock.advanceMillis(10);
      held.close();
      held = null;
      for (CompletableFuture<Permit> f : all) {
        if (f.isDone() && !f.isCompletedExceptionally() && taken.add(f)) {
          held = f.join();
        }
      }
    }
    long servedAtMillis = (clock.nanoTime() - 1_000_000_000L) / 1_000_000;
    boolean served = victim.isDone() && !victim.isCompletedExceptionally();

    assertThat(refusedAtOnce)
        .as("%s: a call with 100 ms to wait, 40 ahead of it that give up within 49 ms, refused"
            + " at once with %s", order, reason)
        .isFalse();
    assertThat(served).as("%s: the call (deadline t = 201 ms) served, at t = %d ms", order,
        servedAtMillis).isTrue();
    victim.join().close();
  }

  private static Reason reasonOf(CompletableFuture<?> future) {
    Throwable t = future.handle((v, f) -> f).join();
    if (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof LaneRejectedException r ? r.reason() : null;
  }
}
