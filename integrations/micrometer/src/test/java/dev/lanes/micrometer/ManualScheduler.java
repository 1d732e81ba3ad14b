package dev.lanes.micrometer;

import dev.lanes.Cancellable;
import dev.lanes.LaneScheduler;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs the timeouts of asynchronous waiters only when a test fires them. */
final class ManualScheduler implements LaneScheduler {

  private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(task, delayNanos);
    tasks.add(t);
    return () -> t.pending.compareAndSet(true, false);
  }

  /** Runs every pending task whose delay is at most {@code upTo}, as if that much time passed. */
  void fireUpTo(Duration upTo) {
    for (Task t : tasks) {
      if (t.delayNanos <= upTo.toNanos() && t.pending.compareAndSet(true, false)) {
        tasks.remove(t);
        t.body.run();
      }
    }
  }

  private static final class Task {
    final Runnable body;
    final long delayNanos;
    final AtomicBoolean pending = new AtomicBoolean(true);

    Task(Runnable body, long delayNanos) {
      this.body = body;
      this.delayNanos = delayNanos;
    }
  }
}
