package dev.lanes.resilience4j.review3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.resilience4j.LaneBulkhead;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * HeldPermits: "an entry claimed by another thread is pruned from its owner's stack lazily, the
 * next time the owner looks". The owner prunes only claimed entries at the top of its stack
 * ({@code hold}: {@code unclaimed(ownTop())}); a stranger claims the oldest, at the bottom. A
 * thread that starts asynchronous calls ({@code Bulkhead.decorateCompletionStage}) whose stages
 * complete on other threads, and that always has one call in flight when it starts the next (an
 * event loop, a dispatcher, a pipeline), never has a claimed entry on top: the claimed ones pile
 * up below the live ones and are never unlinked. The stack grows by one entry per call for as
 * long as the thread runs, and every completion on another thread walks it all
 * ({@code claimOldest} goes from the top to the bottom): memory grows without bound and the
 * completions slow down as O(calls so far), so the work is quadratic.
 *
 * <p>Deterministic: one dispatcher thread (the test's), one completing thread, two calls in
 * flight at a time; 20,000 calls. Only one permit is out at the end; the dispatcher's stack still
 * links an entry for every call it ever made.
 */
class StackGrowsWithoutBoundTest {

  private static final int CALLS = 20_000;

  @Test
  void aDispatcherWhoseStagesCompleteElsewhereKeepsEveryEntryItEverHeld() throws Exception {
    Lane lane = Lane.builder("pipeline").algorithm("fixed").limits(4, 4, 4)
        .maxWait(Duration.ofSeconds(5)).build();
    LaneBulkhead bulkhead = LaneBulkhead.of(lane);
    List<CompletableFuture<String>> stages = new ArrayList<>();
    Supplier<CompletionStage<String>> call = Bulkhead.decorateCompletionStage(bulkhead, () -> {
      CompletableFuture<String> stage = new CompletableFuture<>();
      stages.add(stage);
      return stage;
    });
    ExecutorService completer = Executors.newSingleThreadExecutor();
    try {
      call.get(); // the first call in flight
      for (int i = 1; i < CALLS; i++) {
        call.get(); // the next call starts while the previous one is still in flight
        CompletableFuture<String> previous = stages.get(i - 1);
        completer.submit(() -> previous.complete("done")).get(10, TimeUnit.SECONDS);
      }
      assertThat(lane.inFlight()).as("in flight: exact").isEqualTo(1);
      int longest = Book.longestStack(bulkhead);
      System.out.printf("after %d calls, 1 permit out: the dispatcher's stack links %d entries%n",
          CALLS, longest);
      assertThat(longest)
          .as("entries one thread's stack keeps reachable with one permit out")
          .isLessThan(100);
    } finally {
      stages.forEach(s -> s.complete("end"));
      completer.shutdownNow();
    }
  }
}
