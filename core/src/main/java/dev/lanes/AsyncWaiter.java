package dev.lanes;

import java.util.concurrent.CompletableFuture;

/** A waiter behind {@link Lane#acquireAsync}: its future completes when its fate is settled. */
final class AsyncWaiter extends Waiter {

  final CompletableFuture<Permit> future = new CompletableFuture<>();
  private volatile Cancellable timeout;

  AsyncWaiter(Priority priority) {
    super(priority);
  }

  /** Arms the timeout, unless the wait has already ended. */
  void armTimeout(LaneScheduler scheduler, long delayNanos, Runnable onTimeout) {
    Cancellable scheduled = scheduler.schedule(onTimeout, delayNanos);
    timeout = scheduled;
    if (!isWaiting()) {
      scheduled.cancel();
    }
  }

  void disarmTimeout() {
    Cancellable scheduled = timeout;
    if (scheduled != null) {
      scheduled.cancel();
    }
  }

  @Override
  void signal(Lane lane) {
    disarmTimeout();
    if (state() == GRANTED) {
      Permit permit = lane.grant(priority, -1);
      // The caller cancelled at the same moment: the permit is nobody's, so give it back.
      if (!future.complete(permit)) {
        permit.ignore();
      }
    } else {
      future.completeExceptionally(lane.refusal(priority, reason()));
    }
  }
}
