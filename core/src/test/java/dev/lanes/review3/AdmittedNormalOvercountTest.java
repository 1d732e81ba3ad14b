package dev.lanes.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Claim (Gate, LaneCounters): the NORMAL admitted figure derived from the gate word "can only be
 * behind the truth, never ahead", and is "exact at rest".
 *
 * <p>{@code Gate.normalCounts} reads the word, then {@code normalGivenBack}, then
 * {@code normalInLimbo}. A permit taken for a waiter that gives up at that moment leaves limbo the
 * other way round: {@code giveBack} counts it in {@code normalGivenBack} first, then
 * {@code delivered} takes it out of {@code normalInLimbo}. A reader that reads
 * {@code normalGivenBack} before the give-back and {@code normalInLimbo} after it subtracts the
 * permit from neither, and counts as admitted a permit no caller ever had. {@code LaneCounters.raise}
 * then keeps that figure: the lane comes to rest with {@code admitted(NORMAL)} one above the truth.
 * (The comment at Gate.java:185 has the order backwards: since a permit leaves limbo after it is
 * counted as given back, limbo must be read first.)
 *
 * <p>The interleaving is forced, not waited for: the reader (a metrics scrape on another thread)
 * is held between its two reads, exactly where the OS could deschedule it, by swapping the gate's
 * {@code normalInLimbo} adder for one whose {@code sum()} waits on a latch. The hand-over and the
 * cancellation are the scenario of review2's AdmittedCountAtRestTest: the scheduler's
 * {@code cancel()} runs between the grant and the give-back.
 */
class AdmittedNormalOvercountTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  /** An adder whose second sum() on one thread waits until the test lets it go. */
  static final class PausingAdder extends LongAdder {
    volatile Thread reader;
    final AtomicInteger readsByReader = new AtomicInteger();
    final CountDownLatch paused = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);

    @Override
    public long sum() {
      // LaneSnapshot.of reads normalCounts() twice: for completed(NORMAL), then for
      // admitted(NORMAL). Hold the second, the one admitted comes from.
      if (Thread.currentThread() == reader && readsByReader.incrementAndGet() == 2) {
        paused.countDown();
        try {
          go.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.sum();
    }
  }

  @Test
  void aScrapeHeldBetweenItsReadsCountsAGivenBackPermitAsAdmittedForGood() throws Exception {
    AtomicReference<Lane> laneRef = new AtomicReference<>();
    AtomicReference<CompletableFuture<Permit>> victim = new AtomicReference<>();
    AtomicReference<LaneSnapshot> scraped = new AtomicReference<>();
    PausingAdder limbo = new PausingAdder();
    AtomicReference<Thread> scraper = new AtomicReference<>();

    LaneScheduler scheduler = (task, delay) -> (Cancellable) () -> {
      CompletableFuture<Permit> f = victim.get();
      if (f != null && scraper.get() == null) {
        // Runs inside AsyncWaiter.signal, after the grant, before the give-back.
        Thread t = new Thread(() -> scraped.set(laneRef.get().snapshot()), "scrape");
        limbo.reader = t;
        scraper.set(t);
        t.start();
        try {
          limbo.paused.await(10, TimeUnit.SECONDS); // the scrape has read word and givenBack
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        f.cancel(false); // the caller gives up at that very moment
      }
      return true;
    };
    Lane lane = Lane.builder("overcount").algorithm((w, l) -> l).limits(1, 1, 1)
        .scheduler(scheduler).window(WindowConfig.disabled()).maxWait(LONG).build();
    laneRef.set(lane);
    swapLimboAdder(lane, limbo);

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow(); // the only real admission
    CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
    victim.set(waiter);
    held.close(); // hands the permit to the waiter, who cancels: the permit goes back
    limbo.go.countDown();
    scraper.get().join(10_000);

    assertThat(waiter).isCancelled();
    assertThat(lane.inFlight()).isZero();
    LaneSnapshot atRest = lane.snapshot();
    System.out.printf("scrape during the hand-over: admitted(NORMAL)=%d; at rest: admitted=%d,"
            + " completed=%d, dropped=%d, ignored=%d%n",
        scraped.get().admitted(Priority.NORMAL), atRest.admitted(Priority.NORMAL),
        atRest.completed(Priority.NORMAL), atRest.dropped(Priority.NORMAL),
        atRest.ignored(Priority.NORMAL));
    assertThat(atRest.admitted(Priority.NORMAL))
        .as("admitted(NORMAL) at rest: one permit was ever received by a caller")
        .isEqualTo(1);
    assertThat(scraped.get().admitted(Priority.NORMAL))
        .as("admitted(NORMAL) read during the hand-over: never ahead of the truth (1)")
        .isLessThanOrEqualTo(1);
  }

  private static void swapLimboAdder(Lane lane, LongAdder adder) throws Exception {
    Field gateField = Lane.class.getDeclaredField("gate");
    gateField.setAccessible(true);
    Object gate = gateField.get(lane);
    Field limboField = gate.getClass().getDeclaredField("normalInLimbo");
    limboField.setAccessible(true);
    limboField.set(gate, adder);
  }
}
