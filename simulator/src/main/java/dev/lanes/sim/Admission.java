package dev.lanes.sim;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How a contender lets requests at the device: through a real lane, or straight through.
 *
 * <pre>{@code
 * Admission viaLane = Admission.through(lane);
 * Admission none = Admission.unlimited();
 * }</pre>
 */
public interface Admission {

  CompletableFuture<Permit> acquire(Priority priority, Duration maxWait);

  /** The limit right now, for the charts; {@code -1} when there is none. */
  int limit();

  /** Through {@code lane}, with its real waiting, timeouts and hand-over. */
  static Admission through(Lane lane) {
    return new Admission() {
      @Override
      public CompletableFuture<Permit> acquire(Priority priority, Duration maxWait) {
        return lane.acquireAsync(priority, maxWait);
      }

      @Override
      public int limit() {
        return lane.limit();
      }
    };
  }

  /** No limit at all: every request goes to the device at once. */
  static Admission unlimited() {
    CompletableFuture<Permit> free = CompletableFuture.completedFuture(new Permit() {
      @Override
      public Priority priority() {
        return Priority.NORMAL;
      }

      @Override
      public void close() {}

      @Override
      public void dropped() {}

      @Override
      public void ignore() {}
    });
    return new Admission() {
      @Override
      public CompletableFuture<Permit> acquire(Priority priority, Duration maxWait) {
        return free;
      }

      @Override
      public int limit() {
        return -1;
      }
    };
  }
}
