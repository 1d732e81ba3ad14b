package dev.lanes.resilience4j.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.resilience4j.LaneBulkhead;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * HeldPermits keeps "every thread's stack, for the threads that hold none of their own; pruned as
 * threads die". It prunes only inside {@code take()} on a thread that holds no permit of its own,
 * as it walks past a dead thread's empty stack. An application whose calls are synchronous
 * ({@code decorateSupplier}, {@code Decorators}, {@code @Bulkhead} on a blocking method) always
 * gives back on the thread that took, so that walk never happens, and every thread that ever
 * called through the bulkhead leaves its stack (a Stack, a WeakReference, a queue node) in the
 * book for the life of the bulkhead. With a thread per request, virtual threads above all, that is
 * a leak that grows with every request, and the next completion on a foreign thread then walks
 * all of them.
 *
 * <p>Deterministic: 2,000 short-lived threads make one synchronous call each and end.
 */
class DeadThreadsStayInTheBookTest {

  private static final int THREADS = 2_000;

  @Test
  void threadsThatEndedHoldingNothingAreNotKeptInTheBook() throws Exception {
    Lane lane = Lane.builder("per-request").algorithm("fixed").limits(4, 4, 4)
        .maxWait(Duration.ofSeconds(5)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    Supplier<String> read = Bulkhead.decorateSupplier(bulkhead, () -> "bytes");
    for (int i = 0; i < THREADS; i++) {
      Thread t = new Thread(read::get, "request-" + i);
      t.start();
      t.join(10_000);
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(lane.inFlight()).isZero();
    int kept = Book.stacks(bulkhead).size();
    System.out.printf("%d threads made one call each and ended; the book keeps %d stacks%n",
        THREADS, kept);
    assertThat(kept).as("stacks kept for threads that ended holding nothing").isLessThan(100);
  }
}
