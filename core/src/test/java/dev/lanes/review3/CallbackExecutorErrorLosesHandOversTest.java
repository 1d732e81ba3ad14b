package dev.lanes.review3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneScheduler;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Rule 11 and {@code WaitingRoom.signalAll}: "Whatever signalling throws, the rest are still
 * told." When one dispatch serves several asynchronous waiters, all but the first are handed to
 * the lane's callback executor ({@code WaitingRoom.handOff}). {@code handOff} catches only
 * {@code RuntimeException} from {@code execute}; an {@code Error} (the default executor is a pool
 * that starts a new thread per blocked callback, and {@code Thread.start} fails with
 * {@code OutOfMemoryError: unable to create native thread} when threads run out) leaves
 * {@code signalAll} at once. The waiters already granted (state GRANTED, permits counted in
 * flight) are then never told: their futures never complete, their timeouts find them granted
 * and do nothing, and the permits are lost for good. {@code signal} itself catches
 * {@code RuntimeException | Error}; {@code handOff} and {@code handOffDispatch} do not.
 *
 * <p>Deterministic: an executor that fails once, as thread creation does, then works.
 */
class CallbackExecutorErrorLosesHandOversTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void anExecutorThatFailsWithAnErrorLosesNoPermit() {
    AtomicBoolean failedOnce = new AtomicBoolean();
    Executor flaky = task -> {
      if (failedOnce.compareAndSet(false, true)) {
        throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
      }
      new Thread(task).start();
    };
    LaneScheduler neverFires = (task, delay) -> (Cancellable) () -> true;
    Lane lane = Lane.builder("executor-error").algorithm((w, l) -> l).limits(1, 1, 4)
        .callbackExecutor(flaky).scheduler(neverFires).window(WindowConfig.disabled())
        .maxWait(LONG).build();

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    List<CompletableFuture<Permit>> waiters = List.of(
        lane.acquireAsync(Priority.NORMAL, LONG),
        lane.acquireAsync(Priority.NORMAL, LONG),
        lane.acquireAsync(Priority.NORMAL, LONG));

    // The limit rises to 4: one dispatch grants all three waiters.
    Throwable thrown = catchThrowable(() -> lane.setLimitBounds(4, 4));
    System.out.println("setLimitBounds threw: " + thrown);

    // Whatever happened to the executor, every granted waiter must get its permit (the working
    // executor runs on its own threads, hence the short grace).
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!waiters.stream().allMatch(CompletableFuture::isDone) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    long done = waiters.stream().filter(CompletableFuture::isDone).count();
    System.out.printf("waiters told: %d of 3; in flight %d%n", done, lane.inFlight());
    waiters.stream().filter(CompletableFuture::isDone).forEach(f -> f.join().close());
    held.close();
    assertThat(done).as("waiters granted a permit that were told so").isEqualTo(3);
    assertThat(lane.inFlight()).as("in flight once every permit anyone has is closed").isZero();
  }
}
