package dev.lanes;

/** A waiter behind {@link Lane#acquireAsync}: its future completes when its fate is settled. */
final class AsyncWaiter extends Waiter {

  final PermitFuture future = new PermitFuture();
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
      if (future.claim()) {
        // Counted before the caller's callbacks run: they may close the permit inside deliver.
        Permit permit = lane.permit(priority, -1L);
        lane.admitted(priority);
        lane.delivered(priority);
        future.deliver(permit);
      } else {
        lane.giveBack(priority); // the caller cancelled at this very moment: it was never theirs
        lane.delivered(priority);
      }
    } else {
      future.completeExceptionally(lane.refusal(priority, reason()));
    }
  }
}
