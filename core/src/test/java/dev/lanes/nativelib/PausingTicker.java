package dev.lanes.nativelib;

import dev.lanes.Ticker;
import java.util.concurrent.CountDownLatch;

/**
 * A system ticker that can hold one chosen thread the next time it reads the clock. A lane reads
 * its ticker right after it admits a call, so this holds a caller between its admission and the
 * hand-over of its job to a worker.
 */
final class PausingTicker implements Ticker {

  private final CountDownLatch paused = new CountDownLatch(1);
  private final CountDownLatch resume = new CountDownLatch(1);
  private volatile Thread toPause;

  /** The next clock read on the calling thread waits until {@link #resume()}. */
  void pauseThisThreadOnce() {
    toPause = Thread.currentThread();
  }

  void awaitPaused() throws InterruptedException {
    paused.await();
  }

  void resume() {
    resume.countDown();
  }

  @Override
  public long nanoTime() {
    if (toPause == Thread.currentThread()) {
      toPause = null;
      paused.countDown();
      try {
        resume.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return System.nanoTime();
  }
}
