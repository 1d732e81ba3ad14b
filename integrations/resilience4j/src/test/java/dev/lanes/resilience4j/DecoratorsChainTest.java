package dev.lanes.resilience4j;

import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_FINISHED;
import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_PERMITTED;
import static io.github.resilience4j.bulkhead.event.BulkheadEvent.Type.CALL_REJECTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.algorithms.FixedLimit;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.event.BulkheadEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.decorators.Decorators;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Decorators} chains from resilience4j-all, with a lane bulkhead among Retry and a breaker. */
class DecoratorsChainTest {

  private final Lane lane = Lane.builder("downstream").algorithm(new FixedLimit())
      .limits(1, 2, 64).maxWait(Duration.ZERO).build();
  private final LaneBulkhead bulkhead = LaneBulkhead.of(lane);
  private final List<BulkheadEvent.Type> events = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  {
    bulkhead.getEventPublisher().onEvent(e -> events.add(e.getEventType()));
  }

  @AfterEach
  void stop() throws InterruptedException {
    scheduler.shutdownNow();
    assertThat(scheduler.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static Retry retryOnFullBulkhead() {
    return Retry.of("downstream", RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ZERO)
        .retryExceptions(BulkheadFullException.class).build());
  }

  @Test
  void retryGetsThroughOnceTheBulkheadHasRoomAgain() {
    Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Permit second = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Retry retry = retryOnFullBulkhead();
    retry.getEventPublisher().onRetry(e -> first.close()); // room appears before the 2nd attempt

    Supplier<String> call = Decorators.ofSupplier(() -> "answer")
        .withBulkhead(bulkhead)
        .withRetry(retry)
        .decorate();

    assertThat(call.get()).isEqualTo("answer");
    assertThat(events).containsExactly(CALL_REJECTED, CALL_PERMITTED, CALL_FINISHED);
    assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
    second.close();
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aBreakerAroundAFullBulkheadOpensAndThenSparesIt() {
    Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Permit second = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    CircuitBreaker breaker = CircuitBreaker.of("downstream", CircuitBreakerConfig.custom()
        .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofHours(1)).build());
    AtomicInteger ran = new AtomicInteger();
    Supplier<Integer> call = Decorators.ofSupplier(ran::incrementAndGet)
        .withBulkhead(bulkhead)
        .withCircuitBreaker(breaker)
        .decorate();

    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(call::get).isInstanceOf(BulkheadFullException.class);
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    first.close();
    second.close();
    assertThatThrownBy(call::get).isInstanceOf(CallNotPermittedException.class);

    assertThat(ran).hasValue(0);
    assertThat(events).as("the open breaker never reached the bulkhead")
        .containsExactly(CALL_REJECTED, CALL_REJECTED, CALL_REJECTED, CALL_REJECTED);
    assertThat(lane.inFlight()).isZero();
  }

  @Test
  void aFullChainFromManyThreadsNeverOvershootsAndGivesEveryPermitBack() throws Exception {
    bulkhead.changeConfig(io.github.resilience4j.bulkhead.BulkheadConfig.custom()
        .maxConcurrentCalls(64).maxWaitDuration(Duration.ofSeconds(10)).build());
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("downstream");
    Retry retry = retryOnFullBulkhead();
    AtomicInteger overshoot = new AtomicInteger();
    Callable<Integer> call = Decorators.ofCallable(() -> {
      if (lane.inFlight() > lane.limit()) {
        overshoot.incrementAndGet();
      }
      Thread.yield();
      return 1;
    }).withBulkhead(bulkhead).withCircuitBreaker(breaker).withRetry(retry).decorate();

    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        results.add(threads.submit(() -> {
          int sum = 0;
          for (int i = 0; i < 500; i++) {
            sum += call.call();
          }
          return sum;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(500);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(overshoot).hasValue(0);
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(3_000);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void anAsynchronousChainRetriesAndCompletesOnAnotherThread() throws Exception {
    Permit first = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Permit second = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Retry retry = retryOnFullBulkhead();
    retry.getEventPublisher().onRetry(e -> first.close());

    CompletionStage<String> result = Decorators.ofCompletionStage(
            () -> CompletableFuture.supplyAsync(() -> "async", scheduler))
        .withBulkhead(bulkhead)
        .withRetry(retry, scheduler)
        .get();

    assertThat(result.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("async");
    assertThat(events).containsExactly(CALL_REJECTED, CALL_PERMITTED, CALL_FINISHED);
    second.close();
    assertThat(lane.inFlight()).isZero();
    assertThat(bulkhead.permitsHeld()).isZero();
  }
}
