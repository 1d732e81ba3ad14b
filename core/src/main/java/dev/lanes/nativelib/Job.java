package dev.lanes.nativelib;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * One admitted call on its way through a worker: the task, the permit it was admitted with, and
 * the future its caller waits on. A worker runs it, decides about itself, and only then completes
 * it, so a failure is final (suppressed exceptions included) before the caller sees it.
 */
final class Job<T> {

  private final Callable<T> task;
  private final Permit permit;
  private final CompletableFuture<T> result;
  // Written and read by the one worker that runs the job.
  private boolean started;
  private T value;
  private Throwable failure;

  Job(Callable<T> task, Permit permit, CompletableFuture<T> result) {
    this.task = task;
    this.permit = permit;
    this.result = result;
  }

  Priority priority() {
    return permit.priority();
  }

  /** Runs the task, unless its caller gave up on it first; returns what it threw, or null. */
  Throwable run() {
    if (result.isDone()) {
      return null;
    }
    started = true;
    try {
      value = task.call();
    } catch (Throwable t) {
      failure = t;
    }
    return failure;
  }

  /**
   * Releases the permit, then completes the future: released first, so the latency sample holds
   * the task alone and not the caller's callbacks. A failure the lane counts as overload is
   * released as dropped; any other failure carries no sample.
   */
  void complete(Lane lane) {
    if (!started) {
      permit.ignore();
    } else if (failure == null) {
      permit.close();
      result.complete(value);
    } else {
      if (lane.isOverload(failure)) {
        permit.dropped();
      } else {
        permit.ignore();
      }
      result.completeExceptionally(failure);
    }
  }

  /** Fails the call without running it. */
  void fail(Throwable reason) {
    permit.ignore();
    result.completeExceptionally(reason);
  }
}
