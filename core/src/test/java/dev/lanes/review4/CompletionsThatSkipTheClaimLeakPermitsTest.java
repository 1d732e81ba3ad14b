package dev.lanes.review4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.Cancellable;
import dev.lanes.LaneScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Rule 8: "Every permit is released exactly once." {@code PermitFuture} makes every way of
 * settling a waiter's future go through one claim, but only {@code complete},
 * {@code completeExceptionally} and {@code cancel} are overridden. {@code CompletableFuture} has
 * other public ways to settle a future that never call those: {@code obtrudeValue},
 * {@code obtrudeException} and {@code completeAsync} (whose task calls the package-private
 * {@code completeValue}). A caller who settles the future that way leaves it unclaimed; when the
 * lane then hands the waiter a permit, {@code AsyncWaiter.signal} claims the future, counts the
 * admission, and calls {@code deliver}, whose {@code super.complete(permit)} returns false (the
 * future is already done), and the permit is dropped on the floor: nobody has it, nobody can
 * release it, and the lane stays one permit short for good.
 *
 * <p>Before PermitFuture, {@code signal} called {@code future.complete(permit)} and gave the
 * permit back when it returned false, so this is a regression of the fix.
 *
 * <p>Deterministic: the lane holds one permit, the waiter settles its own future, and the test
 * releases the permit on its own thread, which runs the hand-over synchronously.
 */
class CompletionsThatSkipTheClaimLeakPermitsTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private static void leaksNoPermit(String name, Consumer<CompletableFuture<Permit>> settle) {
    Lane lane = Lane.builder(name).algorithm((w, l) -> l).limits(1, 1, 1)
        .queueOrder(QueueOrder.FIFO).maxWait(LONG).build();
    try {
      Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
      assertThat(waiter).isNotDone();

      settle.accept(waiter); // the caller settles its own future its own way: it wants no permit
      assertThat(waiter).isDone();
      Permit received = waiter.getNow(null);

      first.close(); // the freed permit goes to the queued waiter, synchronously, on this thread
      if (received != null) {
        received.close();
      }

      LaneSnapshot atRest = lane.snapshot();
      System.out.printf("%s: waiter's future %s; at rest: in flight %d, admitted(NORMAL) %d,"
              + " completed(NORMAL) %d, waiting %d%n", name, waiter, atRest.inFlight(),
          atRest.admitted(Priority.NORMAL), atRest.completed(Priority.NORMAL),
          atRest.waiting());
      assertThat(lane.inFlight())
          .as("%s: no caller holds a permit, so none is in flight", name).isZero();
      assertThat(lane.tryAcquire(Priority.NORMAL))
          .as("%s: the lane's one permit is free again", name).isPresent();
    } finally {
      lane.close();
    }
  }

  @Test
  void obtrudeValueOnAWaitingFutureLeaksThePermitHandedToIt() {
    leaksNoPermit("obtrude-value", f -> f.obtrudeValue(null));
  }

  @Test
  void completeAsyncWithADefaultLeaksThePermitHandedToIt() {
    // A fallback supplied the CompletableFuture way: "if no permit, carry on without one".
    leaksNoPermit("complete-async", f -> f.completeAsync(() -> null, Runnable::run));
  }

  /**
   * The same with {@code obtrudeException}, which on a waiting future does withdraw the waiter
   * (the lane's own whenComplete sees the failure), but not when it lands between the grant and
   * the signal: the waiter is already GRANTED, so the withdrawal does nothing, and the signal then
   * claims the unclaimed future and loses the permit. The scheduler's {@code cancel()}, which
   * {@code signal} runs first, holds the signal at exactly that point.
   */
  @Test
  void obtrudeExceptionAtTheMomentOfTheGrantLeaksThePermit() throws Exception {
    AtomicReference<CompletableFuture<Permit>> victim = new AtomicReference<>();
    CountDownLatch inCancel = new CountDownLatch(1);
    CountDownLatch settled = new CountDownLatch(1);
    LaneScheduler scheduler = (task, delay) -> (Cancellable) () -> {
      if (victim.get() != null && inCancel.getCount() > 0) {
        inCancel.countDown(); // inside AsyncWaiter.signal: granted, not yet claimed
        try {
          settled.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return true;
    };
    Lane lane = Lane.builder("obtrude-exception").algorithm((w, l) -> l).limits(1, 1, 1)
        .queueOrder(QueueOrder.FIFO).scheduler(scheduler).maxWait(LONG).build();
    try {
      Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
      CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
      victim.set(waiter);
      Thread releaser = new Thread(first::close, "releaser");
      releaser.start();
      assertThat(inCancel.await(10, TimeUnit.SECONDS)).isTrue();
      waiter.obtrudeException(new IllegalStateException("caller gave up"));
      settled.countDown();
      releaser.join(10_000);

      System.out.printf("obtrude-exception: waiter's future %s; in flight %d%n", waiter,
          lane.inFlight());
      assertThat(waiter).isCompletedExceptionally();
      assertThat(lane.inFlight())
          .as("no caller holds a permit (the waiter's future failed), so none is in flight")
          .isZero();
    } finally {
      lane.close();
    }
  }
}
