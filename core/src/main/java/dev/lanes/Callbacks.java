package dev.lanes;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where lanes run work that ends in user code when no caller's thread is the right place for it:
 * the timeouts the system scheduler fires, and dispatches handed off by a thread that is already
 * deep in callbacks. A cached pool of daemon threads, so that one callback that blocks holds up
 * only itself, never another lane's timeouts.
 */
final class Callbacks {

  private static final Executor EXECUTOR = newExecutor();

  private Callbacks() {}

  static void execute(Runnable task) {
    EXECUTOR.execute(task);
  }

  private static Executor newExecutor() {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(
        0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
          Thread thread = new Thread(task, "lanes-callbacks-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    return executor;
  }
}
