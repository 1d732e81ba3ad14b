package dev.lanes;

import java.util.ArrayList;
import java.util.List;

/** A scheduler whose tasks run only when a test fires them. */
final class ManualScheduler implements LaneScheduler {

  final List<Task> tasks = new ArrayList<>();

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(task, delayNanos);
    tasks.add(t);
    return t::cancel;
  }

  /** Runs every task not cancelled yet. */
  void fireAll() {
    List<Task> due;
    synchronized (this) {
      due = new ArrayList<>(tasks);
      tasks.clear();
    }
    due.forEach(Task::run);
  }

  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  static final class Task {
    final Runnable body;
    final long delayNanos;
    volatile boolean cancelled;
    volatile boolean ran;

    Task(Runnable body, long delayNanos) {
      this.body = body;
      this.delayNanos = delayNanos;
    }

    boolean cancel() {
      if (cancelled || ran) {
        return false;
      }
      cancelled = true;
      return true;
    }

    void run() {
      if (!cancelled) {
        ran = true;
        body.run();
      }
    }
  }
}
