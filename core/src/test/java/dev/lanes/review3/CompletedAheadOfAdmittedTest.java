package dev.lanes.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lane counts a permit handed to an asynchronous waiter as admitted only after the waiter's
 * future has completed ({@code AsyncWaiter.signal}: {@code future.complete(permit)}, then
 * {@code lane.admitted} and {@code lane.delivered}). {@code complete} runs the caller's callbacks
 * on the spot; a callback that does its short call and closes the permit has the release counted
 * first. A snapshot taken then, with nothing else happening on the lane, reports more calls of the
 * priority completed than admitted, a state that cannot exist (in use per priority, admitted minus
 * released, comes out -1 in any dashboard).
 *
 * <p>Deterministic, one thread.
 */
class CompletedAheadOfAdmittedTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @ParameterizedTest
  @EnumSource(value = Priority.class, names = {"NORMAL", "BACKGROUND"})
  void aCallbackThatClosesItsPermitNeverSeesMoreCompletedThanAdmitted(Priority priority) {
    Lane lane = Lane.builder("completed-ahead").algorithm((w, l) -> l).limits(1, 1, 1)
        .window(WindowConfig.disabled()).maxWait(LONG).build();
    Permit held = lane.tryAcquire(priority).orElseThrow();
    AtomicReference<LaneSnapshot> inCallback = new AtomicReference<>();
    CompletableFuture<Permit> waiter = lane.acquireAsync(priority, LONG);
    waiter.thenAccept(permit -> {
      permit.close(); // a short call, done
      inCallback.set(lane.snapshot());
    });
    held.close();

    LaneSnapshot s = inCallback.get();
    assertThat(s).isNotNull();
    System.out.printf("%s in the callback: admitted %d, completed %d, in flight %d%n", priority,
        s.admitted(priority), s.completed(priority), s.inFlight());
    assertThat(s.completed(priority) + s.dropped(priority) + s.ignored(priority))
        .as("%s permits released (completed+dropped+ignored) <= admitted", priority)
        .isLessThanOrEqualTo(s.admitted(priority));
  }
}
