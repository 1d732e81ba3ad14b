package dev.lanes.review;

import static dev.lanes.review.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * Rules 8 and 11: a scheduler whose {@code cancel()} throws an {@link Error} (an
 * {@code AssertionError} in a test scheduler, a {@code NoClassDefFoundError}...) loses a permit for
 * good. {@code AsyncWaiter.disarmTimeout} catches only {@code RuntimeException}; the Error leaves
 * {@code signal} before the future is completed, {@code signalAll} logs it and moves on, and the
 * permit the gate took for the waiter is never handed to anyone or given back. The waiter's own
 * timeout later finds it GRANTED and does nothing, so the future never completes either.
 */
class ThrowingCancelErrorTest {

  @Test
  @Timeout(30)
  void aCancelThatThrowsAnErrorLeaksTheGrantedPermitAndHangsTheFuture() {
    List<Runnable> timeouts = new CopyOnWriteArrayList<>();
    LaneScheduler scheduler = (task, delayNanos) -> {
      timeouts.add(task);
      return (Cancellable) () -> {
        throw new AssertionError("test scheduler: cancel not expected");
      };
    };
    Lane lane = Lane.builder("cancel-error").algorithm((w, l) -> l).limits(1, 1, 1)
        .scheduler(scheduler).build();
    Permit held = take(lane, Priority.NORMAL);
    CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, Duration.ofSeconds(30));

    held.close(); // hands the permit to the waiter
    timeouts.forEach(Runnable::run); // and even its timeout firing later changes nothing

    assertThat(waiter.isDone())
        .as("the waiter's future after the only permit was freed and its timeout fired;"
            + " lane in flight = %d with no permit held by anyone", lane.inFlight())
        .isTrue();
    waiter.join().close();
    assertThat(lane.inFlight()).as("in flight with every permit released").isZero();
  }
}
