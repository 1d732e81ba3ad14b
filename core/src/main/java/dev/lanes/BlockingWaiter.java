package dev.lanes;

import java.util.concurrent.locks.LockSupport;

/** A thread parked in {@link Lane#acquire}; parking lets a virtual thread unmount while it waits. */
final class BlockingWaiter extends Waiter {

  private final Thread thread = Thread.currentThread();

  BlockingWaiter(Priority priority) {
    super(priority);
  }

  @Override
  void signal(Lane lane) {
    if (thread != Thread.currentThread()) {
      LockSupport.unpark(thread);
    }
  }
}
