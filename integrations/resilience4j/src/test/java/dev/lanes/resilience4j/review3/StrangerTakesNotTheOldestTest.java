package dev.lanes.resilience4j.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.WindowSummary;
import dev.lanes.resilience4j.LaneBulkhead;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The book's contract for a thread that holds no permit of its own (a completion stage finishing
 * elsewhere): it "gives back the oldest permit out". {@code HeldPermits.take} instead walks the
 * stacks in the order their threads first touched the book and takes the oldest permit of the
 * first stack that has one. In a pool whose threads all made calls before, that order says
 * nothing about age: here the call that started 10 ms after another is given back when the older
 * one completes, so the lane's algorithm gets a 1 ms sample for an 11 ms call (and later an 11 ms
 * sample for the other one). In-flight stays exact; the latency samples that drive the limit do
 * not.
 *
 * <p>Deterministic: a virtual ticker, every call timed (a per-sample algorithm), three threads
 * that take turns.
 */
class StrangerTakesNotTheOldestTest {

  private static final long MS = 1_000_000L;

  @Test
  void aCompletionElsewhereGivesBackTheOldestPermitOut() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Long> samples = new CopyOnWriteArrayList<>();
    LimitAlgorithm algorithm = new LimitAlgorithm() {
      @Override
      public int update(WindowSummary window, int currentLimit) {
        return currentLimit;
      }

      @Override
      public void onSample(long startNanos, long rttNanos, int inFlight, boolean dropped) {
        samples.add(rttNanos);
      }
    };
    Lane lane = Lane.builder("oldest").algorithm(algorithm).limits(4, 4, 4).ticker(now::get)
        .maxWait(Duration.ofSeconds(5)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of("oldest", lane, Priority.NORMAL);
    CompletableFuture<String> older = new CompletableFuture<>();
    CompletableFuture<String> newer = new CompletableFuture<>();
    ExecutorService first = Executors.newSingleThreadExecutor();
    ExecutorService second = Executors.newSingleThreadExecutor();
    ExecutorService completer = Executors.newSingleThreadExecutor();
    try {
      // A pool thread that made a call before: its stack is the first in the book.
      first.submit(() -> Bulkhead.decorateSupplier(bulkhead, () -> "warm").get())
          .get(10, TimeUnit.SECONDS);
      samples.clear();
      Supplier<CompletionStage<String>> olderCall =
          Bulkhead.decorateCompletionStage(bulkhead, () -> older);
      Supplier<CompletionStage<String>> newerCall =
          Bulkhead.decorateCompletionStage(bulkhead, () -> newer);
      second.submit(olderCall::get).get(10, TimeUnit.SECONDS);   // t = 0: the older call
      now.addAndGet(10 * MS);
      first.submit(newerCall::get).get(10, TimeUnit.SECONDS);    // t = 10 ms: the newer call
      now.addAndGet(1 * MS);
      completer.submit(() -> older.complete("done")).get(10, TimeUnit.SECONDS); // t = 11 ms
      System.out.printf("the 11 ms call completed on a third thread; the lane sampled %d ms%n",
          samples.get(0) / MS);
      assertThat(samples).hasSize(1);
      assertThat(samples.get(0)).as("sample of the call that completed (started 11 ms ago)")
          .isEqualTo(11 * MS);
    } finally {
      newer.complete("end");
      first.shutdownNow();
      second.shutdownNow();
      completer.shutdownNow();
    }
  }
}
