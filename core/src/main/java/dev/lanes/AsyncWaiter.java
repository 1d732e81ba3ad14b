package dev.lanes;

import java.util.concurrent.CompletableFuture;

/** A waiter behind {@link Lane#acquireAsync}: its future completes when its fate is settled. */
final class AsyncWaiter extends Waiter {

  final CompletableFuture<Permit> future = new CompletableFuture<>();
  private volatile Cancellable timeout;

  AsyncWaiter(Priority priority) {
    super(priority);
  }

  /**
   * Arms the timeout, unless the wait has already ended. Throws whatever the scheduler throws; the
   * caller then withdraws the waiter.
   */
  void armTimeout(LaneScheduler scheduler, long delayNanos, Runnable onTimeout) {
    Cancellable scheduled = scheduler.schedule(onTimeout, delayNanos);
    timeout = scheduled;
    if (!isWaiting()) {
      disarmTimeout();
    }
  }

  /**
   * Calls the timeout off. A scheduler whose cancel throws changes nothing that matters: the
   * timeout, if it still fires, finds the wait settled and does nothing.
   */
  void disarmTimeout() {
    Cancellable scheduled = timeout;
    if (scheduled != null) {
      try {
        scheduled.cancel();
      } catch (RuntimeException | Error ignored) {
        // see above
      }
    }
  }

  @Override
  boolean runsUserCode() {
    return true;
  }

  @Override
  void signal(Lane lane) {
    disarmTimeout();
    if (state() == GRANTED) {
      // The permit counts as admitted once it is the caller's: settled after complete, or by the
      // caller's own release if a callback inside complete releases it first (see LanePermit).
      LanePermit permit = lane.waiterPermit(priority);
      if (future.complete(permit)) {
        permit.settleDelivery();
      } else {
        lane.giveBack(priority); // the caller cancelled at this very moment: it was never theirs
      }
    } else {
      future.completeExceptionally(lane.refusal(priority, reason()));
    }
  }
}
