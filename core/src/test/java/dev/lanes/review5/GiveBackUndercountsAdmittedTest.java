package dev.lanes.review5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.QueueOrder;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "The admitted count is never behind the completed count as a reader sees them." For NORMAL,
 * {@code Gate.normalCounts} derives admitted as {@code releases + inFlight - others - givenBack -
 * limbo}. A permit given back ({@code Lane.giveBack}, from {@code AsyncWaiter.signal} when the
 * caller cancelled at that moment, or from {@code Lane.await} when interrupted) is counted in
 * {@code givenBack} first and leaves limbo only after {@code Lane.giveBack} returns
 * ({@code lane.delivered}); in between it is subtracted twice. The Gate's comment calls that "an
 * undercount, which the next read mends" - but {@code Lane.giveBack} dispatches the freed permit
 * to the next waiter inside that window ({@code room.requestDispatch()}), on the same thread,
 * which completes the next waiter's future and runs its callbacks. A callback that does its short
 * call, closes its permit and reads the lane (a metrics scrape, a log line) sees one more call
 * completed than admitted. {@code LaneCounters.raise} keeps the highest admitted figure seen, but
 * that is no help: the true figure rose (the callback's own call) while the derived one is one
 * short.
 *
 * <p>Deterministic, one thread: the scheduler's cancel, which {@code AsyncWaiter.signal} calls
 * ({@code disarmTimeout}) after the grant and before {@code complete}, plays the caller who
 * cancels the first waiter's future at that very moment.
 */
class GiveBackUndercountsAdmittedTest {

  private static final Duration LONG = Duration.ofSeconds(60);

  @ParameterizedTest
  @EnumSource(value = QueueOrder.class, names = {"FIFO", "ADAPTIVE"})
  void aCallbackDispatchedByAGiveBackNeverSeesMoreCompletedThanAdmitted(QueueOrder order) {
    AtomicReference<CompletableFuture<Permit>> first = new AtomicReference<>();
    AtomicBoolean armed = new AtomicBoolean();
    AtomicInteger scheduled = new AtomicInteger();
    LaneScheduler scheduler = (task, delayNanos) -> {
      int index = scheduled.getAndIncrement();
      return () -> {
        if (index == 0 && armed.getAndSet(false)) {
          first.get().cancel(false); // the caller gives up at the moment of the grant
        }
        return true;
      };
    };
    Lane lane = Lane.builder("give-back-" + order).algorithm((w, l) -> l).limits(1, 1, 1)
        .queueOrder(order).scheduler(scheduler).callbackExecutor(Runnable::run)
        .window(WindowConfig.disabled()).maxWait(LONG).build();

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    LaneSnapshot before = lane.snapshot(); // an earlier scrape: raise() has seen admitted = 1
    first.set(lane.acquireAsync(Priority.NORMAL, LONG));
    CompletableFuture<Permit> second = lane.acquireAsync(Priority.NORMAL, LONG);
    AtomicReference<LaneSnapshot> inCallback = new AtomicReference<>();
    second.thenAccept(permit -> {
      permit.close(); // a short call, done
      inCallback.set(lane.snapshot());
    });
    armed.set(true);
    held.close(); // to the first waiter, who cancels; given back, to the second

    assertThat(first.get()).isCancelled();
    LaneSnapshot s = inCallback.get();
    assertThat(s).isNotNull();
    LaneSnapshot atRest = lane.snapshot();
    System.out.printf("%s: before admitted %d; in the callback: admitted %d, completed %d;"
            + " at rest: admitted %d, completed %d, in flight %d%n", order,
        before.admitted(Priority.NORMAL), s.admitted(Priority.NORMAL),
        s.completed(Priority.NORMAL), atRest.admitted(Priority.NORMAL),
        atRest.completed(Priority.NORMAL), atRest.inFlight());
    assertThat(atRest.inFlight()).isZero();
    assertThat(atRest.admitted(Priority.NORMAL)).isEqualTo(2);
    assertThat(s.completed(Priority.NORMAL) + s.dropped(Priority.NORMAL)
            + s.ignored(Priority.NORMAL))
        .as("NORMAL released (completed+dropped+ignored) <= admitted, read in the callback")
        .isLessThanOrEqualTo(s.admitted(Priority.NORMAL));
  }
}
