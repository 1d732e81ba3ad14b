package dev.lanes.resilience4j.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.resilience4j.LaneBulkhead;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The leak of DeadThreadsStayInTheBookTest where it hurts: a virtual thread per request, every
 * call synchronous (so no thread ever looks through the others' stacks, the only place the book
 * prunes). Each request leaves a stack, a WeakReference and a queue node in the bulkhead's book
 * for good: 100,000 requests, 100,000 stacks.
 */
class VirtualThreadPerRequestBookLeakTest {

  private static final int REQUESTS = 100_000;

  @Test
  void requestsOnVirtualThreadsLeaveNothingInTheBook() throws Exception {
    Lane lane = Lane.builder("vthreads").algorithm("fixed").limits(16, 16, 16)
        .maxWait(Duration.ofSeconds(30)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    Supplier<String> read = Bulkhead.decorateSupplier(bulkhead, () -> "bytes");
    try (ExecutorService perRequest = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < REQUESTS; i++) {
        perRequest.submit(read::get);
      }
      perRequest.shutdown();
      assertThat(perRequest.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lane.inFlight()).isZero();
    int kept = Book.stacks(bulkhead).size();
    System.out.printf("%d requests on virtual threads, all ended: the book keeps %d stacks%n",
        REQUESTS, kept);
    assertThat(kept).as("stacks kept for virtual threads that ended holding nothing")
        .isLessThan(1_000);
  }
}
