package dev.lanes.review5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.Ticker;
import dev.lanes.limit.WindowConfig;
import dev.lanes.review.MillisecondDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Rule 5: "No call is refused before its maxWait while it could still be served."
 *
 * <p>{@code WaitingRoom.enter} reads the clock before it takes the lock ("the clock is user code:
 * read it before taking the lock"), and {@code QueueWatch.tick} then integrates
 * {@code min(lastServedOut, servedOut) × max(0, now - lastSampleNanos)} and sets
 * {@code lastSampleNanos = now} unconditionally. A caller whose reading is older than the last
 * sample (it read the clock, then was descheduled, paused by a GC, or queued on the lock while
 * others ticked) adds nothing, but moves {@code lastSampleNanos} back in time; the next tick then
 * integrates the whole span again, time that an earlier interval already counted. The servedOut
 * integral, and with it the hold time {@code integral / grants}, comes out as long as the stall
 * was, and ADAPTIVE refuses at once calls that a FIFO lane serves well within their maxWait.
 *
 * <p>Here: limit 2, every call holds its permit 1 ms (the test plays the device), a long queue
 * drained 2 per ms, one patient caller joining each ms. One caller reads the clock and stalls for
 * 900 ms before it takes the lock. In the next interval the watch believes a permit is held about
 * 10 ms. A newcomer with ~150 waiters ahead and a maxWait of 100 ms is served after ~76 ms on a
 * FIFO lane, and refused at once with TIMEOUT on an ADAPTIVE one.
 *
 * <p>Deterministic: virtual time, the stall is a latch inside the ticker on the stalled thread,
 * after its reading; the main thread does everything else and waits for the stalled thread.
 */
class StalledClockReadingInflatesHoldTimeTest {

  private static final Duration PATIENT = Duration.ofSeconds(60);
  private static final Duration NEWCOMER_WAIT = Duration.ofMillis(100);
  private static final long MS = 1_000_000L;

  /** Virtual time; one thread's reading stalls after it is taken. Timeouts never fire. */
  static final class StallingTime implements Ticker, LaneScheduler {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    volatile Thread staller;
    final CountDownLatch stalled = new CountDownLatch(1);
    final CountDownLatch resume = new CountDownLatch(1);

    @Override
    public long nanoTime() {
      long reading = now.get();
      if (Thread.currentThread() == staller) {
        stalled.countDown();
        try {
          resume.await(); // descheduled right after reading the clock
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return reading;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      return () -> true;
    }
  }

  private static final class Run {
    final StallingTime time = new StallingTime();
    final Lane lane;
    final List<CompletableFuture<Permit>> pending = new ArrayList<>();
    final List<Permit> running = new ArrayList<>();
    final List<Long> grantedAt = new ArrayList<>();

    Run(QueueOrder order) {
      lane = Lane.builder("stall-" + order).algorithm((w, l) -> l).limits(2, 2, 2)
          .queueOrder(order).maxQueued(10_000).ticker(time).scheduler(time)
          .callbackExecutor(Runnable::run).window(WindowConfig.disabled()).maxWait(PATIENT)
          .build();
    }

    synchronized void add(CompletableFuture<Permit> f) {
      pending.add(f);
    }

    void join() {
      add(lane.acquireAsync(Priority.NORMAL, PATIENT));
      collect();
    }

    synchronized void collect() {
      for (int i = 0; i < pending.size(); i++) {
        CompletableFuture<Permit> f = pending.get(i);
        if (f.isDone()) {
          pending.remove(i--);
          running.add(f.join());
          grantedAt.add(time.now.get());
        }
      }
    }

    void millisecond() {
      time.now.addAndGet(MS);
      List<Permit> done = new ArrayList<>();
      synchronized (this) {
        for (int i = 0; i < running.size(); i++) {
          if (time.now.get() - grantedAt.get(i) >= MS) {
            done.add(running.remove(i));
            grantedAt.remove(i--);
          }
        }
      }
      for (Permit p : done) {
        p.close();
      }
      collect();
    }
  }

  /** Runs to the newcomer's arrival; returns the run and its newcomer. */
  private static CompletableFuture<Permit> scenario(Run run) throws Exception {
    for (int i = 0; i < 1_152; i++) {
      run.join();
    }
    Thread stalledCaller = null;
    for (int ms = 1; ms <= 1_000; ms++) {
      run.millisecond();
      run.join();
      if (ms == 50) {
        run.time.staller = new Thread(run::join, "stalled-caller");
        stalledCaller = run.time.staller;
        stalledCaller.start();
        if (run.lane.queueOrder() == QueueOrder.ADAPTIVE) {
          assertThat(run.time.stalled.await(10, TimeUnit.SECONDS)).isTrue();
        } else {
          stalledCaller.join(10_000); // a FIFO lane reads no clock: nothing stalls
        }
      }
      if (ms == 950) {
        run.time.resume.countDown(); // 900 ms later, the stalled caller takes the lock
        stalledCaller.join(10_000);
        assertThat(stalledCaller.isAlive()).isFalse();
      }
    }
    return run.lane.acquireAsync(Priority.NORMAL, NEWCOMER_WAIT);
  }

  @Test
  void aFifoLaneServesTheNewcomerWithinItsMaxWait() throws Exception {
    Run run = new Run(QueueOrder.FIFO);
    CompletableFuture<Permit> newcomer = scenario(run);
    int ahead = run.pending.size();
    long arrived = run.time.now.get();
    run.add(newcomer);
    while (!newcomer.isDone() && run.time.now.get() - arrived < NEWCOMER_WAIT.toNanos()) {
      run.millisecond();
    }
    long waited = run.time.now.get() - arrived;
    System.out.printf("FIFO: newcomer behind %d waiters served after %d ms%n", ahead, waited / MS);
    assertThat(newcomer).isCompleted();
    assertThat(newcomer.join()).isNotNull();
    assertThat(waited).isLessThanOrEqualTo(NEWCOMER_WAIT.toNanos());
  }

  @Test
  void anAdaptiveLaneDoesNotRefuseItBecauseOneCallerStalledAfterReadingTheClock()
      throws Exception {
    Run run = new Run(QueueOrder.ADAPTIVE);
    CompletableFuture<Permit> newcomer = scenario(run);
    int ahead = run.pending.size();
    String outcome = MillisecondDevice.outcome(newcomer);
    System.out.printf("ADAPTIVE: newcomer (maxWait 100 ms) behind %d waiters served 2 per ms,"
        + " after one caller stalled 900 ms between its clock reading and the lock: %s%n",
        ahead, outcome);
    assertThat(outcome)
        .as("a call a FIFO lane serves in ~76 ms, maxWait 100 ms, refused at once")
        .isEqualTo("waiting");
  }

  /** The same run with no stall: ADAPTIVE keeps the newcomer waiting, so the stall is the cause. */
  @Test
  void withoutTheStallTheAdaptiveLaneKeepsTheNewcomer() throws Exception {
    Run run = new Run(QueueOrder.ADAPTIVE);
    for (int i = 0; i < 1_153; i++) {
      run.join();
    }
    for (int ms = 1; ms <= 1_000; ms++) {
      run.millisecond();
      run.join();
    }
    CompletableFuture<Permit> newcomer = run.lane.acquireAsync(Priority.NORMAL, NEWCOMER_WAIT);
    System.out.printf("ADAPTIVE, no stall: newcomer behind %d waiters: %s%n", run.pending.size(),
        newcomer.isDone() ? "settled at once" : "waiting");
    assertThat(newcomer).isNotDone();
  }
}
