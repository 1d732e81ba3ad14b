package dev.lanes.review2;

import dev.lanes.Cancellable;
import dev.lanes.LaneScheduler;
import dev.lanes.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual clock that is both the lane's ticker and its scheduler: a scheduled task runs when the
 * test moves the clock past its deadline, on the test's thread.
 */
final class Clock implements Ticker, LaneScheduler {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    long at = delayNanos >= Long.MAX_VALUE - now.get() ? Long.MAX_VALUE : now.get() + delayNanos;
    Task t = new Task(task, at);
    tasks.add(t);
    return () -> {
      boolean was = !t.cancelled && !t.ran;
      t.cancelled = true;
      return was;
    };
  }

  void advanceNanos(long nanos) {
    now.addAndGet(nanos);
    while (true) {
      Task due = null;
      synchronized (this) {
        for (Task t : tasks) {
          if (!t.cancelled && !t.ran && t.at <= now.get()
              && (due == null || t.at < due.at)) {
            due = t;
          }
        }
        if (due == null) {
          return;
        }
        due.ran = true;
      }
      due.body.run();
    }
  }

  void advanceMillis(long millis) {
    advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static final class Task {
    final Runnable body;
    final long at;
    volatile boolean cancelled;
    volatile boolean ran;

    Task(Runnable body, long at) {
      this.body = body;
      this.at = at;
    }
  }
}
