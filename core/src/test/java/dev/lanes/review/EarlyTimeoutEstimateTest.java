package dev.lanes.review;

import static dev.lanes.review.Fixtures.take;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * Rule 5: "No call is refused before its maxWait while it could still be served." ADAPTIVE's
 * early TIMEOUT divides a call's position by the hand-over rate of the last closed interval, and
 * nothing resets that rate when the lane's capacity changes. Measured at limit 1 (200 hand-overs a
 * second), it is still in force after the limit rises to 64: a NORMAL call with 30 ahead and a
 * 50 ms maxWait is refused at once ("(31 - 3 sqrt 31) / 200/s = 72 ms > 50 ms"), although 64
 * permits are out on 5 ms calls and it is served 5 ms later. The same script under FIFO serves it.
 */
class EarlyTimeoutEstimateTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = QueueOrder.class, names = {"FIFO", "ADAPTIVE"})
  void aCallThatIsServedFiveMillisecondsLaterIsRefusedAtOnceAfterTheLimitRose(QueueOrder order) {
    Fixtures.Clock clock = new Fixtures.Clock();
    Fixtures.Steer steer = new Fixtures.Steer();
    Lane lane = Lane.builder("adaptive-rate").algorithm(steer).limits(1, 1, 64).ticker(clock)
        .scheduler((task, delay) -> (Cancellable) () -> true) // timeouts never fire here
        .window(WindowConfig.disabled())
        .callbackExecutor(Runnable::run) // every waiter told on the releasing thread, in order
        .queueOrder(order).build();

    // Phase 1, limit 1: a queue served at 5 ms a call, 200 a second, over a whole interval.
    Permit held = take(lane, Priority.NORMAL);
    List<CompletableFuture<Permit>> first = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      first.add(lane.acquireAsync(Priority.NORMAL, LONG)); // starts the watch's first interval
    }
    held = serve(lane, clock, held, first, 10, 10);
    clock.advanceMillis(1);
    first.add(lane.acquireAsync(Priority.NORMAL, LONG)); // ends interval 1
    held = serve(lane, clock, held, first, 20, 5);      // interval 2: 20 hand-overs in 100 ms
    clock.advanceMillis(1);
    first.add(lane.acquireAsync(Priority.NORMAL, LONG)); // ends interval 2: rate ~200/s

    // The operator (or the algorithm) raises the limit: every waiter is served at once.
    steer.control.propose(64);
    assertThat(lane.snapshot().waiting()).as("queue drained by the raise").isZero();
    List<Permit> out = new ArrayList<>();
    out.add(held);
    first.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && !served.contains(f))
        .map(CompletableFuture::join).forEach(out::add);
    for (Optional<Permit> p = lane.tryAcquire(Priority.NORMAL); p.isPresent();
        p = lane.tryAcquire(Priority.NORMAL)) {
      out.add(p.get());
    }
    assertThat(lane.inFlight()).isEqualTo(64);

    // Phase 2, limit 64, all 64 permits out on 5 ms calls: a burst of 30 patient calls, then one
    // with 50 ms to wait.
    List<CompletableFuture<Permit>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(lane.acquireAsync(Priority.NORMAL, LONG));
    }
    CompletableFuture<Permit> victim = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(50));
    boolean refusedAtOnce = victim.isDone();
    Reason reason = refusedAtOnce ? Fixtures.reasonOf(victim) : null;

    // 5 ms later the 64 calls finish: 64 permits for 31 waiters.
    clock.advanceMillis(5);
    out.forEach(Permit::close);
    assertThat(burst).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());

    assertThat(refusedAtOnce)
        .as("%s: a call with 30 ahead and 50 ms to wait, while 64 permits on 5 ms calls are out,"
            + " was refused at once with %s; 5 ms later 64 permits were free for 31 waiters",
            order, reason)
        .isFalse();
    assertThat(victim).isCompleted();
    victim.join().close();
    burst.forEach(f -> f.join().close());
    assertThat(lane.inFlight()).isZero();
  }

  /**
   * The same estimate, with no change of limit at all: measured while only BACKGROUND calls
   * queued, at the hand-over rate that {@code limit - reserve} = 2 permits allow, it is applied
   * to NORMAL calls, which 64 permits serve.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = QueueOrder.class, names = {"FIFO", "ADAPTIVE"})
  void aNormalCallIsJudgedByTheRateOfTheBackgroundQueue(QueueOrder order) {
    Fixtures.Clock clock = new Fixtures.Clock();
    Lane lane = Lane.builder("adaptive-reserve").algorithm((w, l) -> l).limits(64, 64, 64)
        .backgroundReserve(62).ticker(clock)
        .scheduler((task, delay) -> (Cancellable) () -> true)
        .window(WindowConfig.disabled())
        .callbackExecutor(Runnable::run) // every waiter told on the releasing thread, in order
        .queueOrder(order).build();

    // Phase 1: BACKGROUND may hold 2 permits; its queue is served every 4 ms.
    Permit first = take(lane, Priority.BACKGROUND);
    Permit second = take(lane, Priority.BACKGROUND);
    List<CompletableFuture<Permit>> scans = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      scans.add(lane.acquireAsync(Priority.BACKGROUND, LONG));
    }
    Permit held = serve(lane, clock, first, scans, 10, 10);
    clock.advanceMillis(1);
    scans.add(lane.acquireAsync(Priority.BACKGROUND, LONG)); // ends interval 1
    held = serve(lane, clock, held, scans, 25, 4);            // interval 2: 25 in 100 ms, min 1

    // Phase 2: NORMAL work takes the other 62 permits, each call as short as a scan's.
    List<Permit> normals = new ArrayList<>();
    for (int i = 0; i < 62; i++) {
      normals.add(take(lane, Priority.NORMAL));
    }
    clock.advanceMillis(1);
    List<CompletableFuture<Permit>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(lane.acquireAsync(Priority.NORMAL, LONG)); // the first ends interval 2
    }
    CompletableFuture<Permit> victim = lane.acquireAsync(Priority.NORMAL, Duration.ofMillis(50));
    boolean refusedAtOnce = victim.isDone();
    Reason reason = refusedAtOnce ? Fixtures.reasonOf(victim) : null;

    clock.advanceMillis(4);
    normals.forEach(Permit::close); // 62 permits for 31 NORMAL waiters
    assertThat(burst).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());

    assertThat(refusedAtOnce)
        .as("%s: a NORMAL call with 30 ahead and 50 ms to wait, while 62 NORMAL permits on 4 ms"
            + " calls are out, was refused at once with %s (rate measured on the BACKGROUND"
            + " queue, 2 permits wide); 4 ms later 62 permits were free for 31 waiters",
            order, reason)
        .isFalse();
    assertThat(victim).isCompleted();
    victim.join().close();
    burst.forEach(f -> f.join().close());
    held.close();
    second.close();
    lane.close();
  }

  /** Frees the held permit {@code calls} times, {@code eachMillis} apart; returns the last one. */
  private Permit serve(Lane lane, Fixtures.Clock clock, Permit held,
      List<CompletableFuture<Permit>> waiters, int calls, long eachMillis) {
    Permit current = held;
    for (int i = 0; i < calls; i++) {
      clock.advanceMillis(eachMillis);
      Permit releasing = current;
      current = null;
      releasing.close();
      for (CompletableFuture<Permit> f : waiters) {
        if (f.isDone() && !f.isCompletedExceptionally() && served.add(f)) {
          current = f.join();
        }
      }
      assertThat(current).as("a waiter was handed the permit").isNotNull();
    }
    return current;
  }

  private final java.util.Set<CompletableFuture<Permit>> served = new java.util.HashSet<>();
}
