package dev.lanes.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Permit;
import dev.lanes.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The book of permits on its own: every permit is taken exactly once, however threads race. */
class HeldPermitsTest {

  private static final int ROUNDS = 20_000;

  /** A permit that counts how often it was handed out to be released. */
  private static final class Counted implements Permit {
    final AtomicInteger taken = new AtomicInteger();

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
  }

  @Test
  void theOwnerAndTwoStrangersRacingForOnePermitGetItOnceBetweenThem() throws Exception {
    HeldPermits book = new HeldPermits();
    CyclicBarrier go = new CyclicBarrier(3);
    AtomicInteger winners = new AtomicInteger();
    List<Counted> permits = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      permits.add(new Counted());
    }
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> racers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        boolean owner = r == 0;
        racers.add(threads.submit(() -> {
          for (int round = 0; round < ROUNDS; round++) {
            if (owner) {
              book.hold(permits.get(round));
            }
            go.await();
            Permit taken = book.take();
            if (taken != null) {
              ((Counted) taken).taken.incrementAndGet();
              winners.incrementAndGet();
            }
            go.await(); // the round is over for everyone before the owner holds the next
          }
          return null;
        }));
      }
      for (Future<?> racer : racers) {
        racer.get(120, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(winners).hasValue(ROUNDS);
    assertThat(permits).allSatisfy(p -> assertThat(p.taken).hasValue(1));
    assertThat(book.size()).isZero();
    assertThat(book.take()).isNull();
  }

  @Test
  void aThreadTakesItsOwnNewestFirstAndStrangersTheOldest() throws Exception {
    HeldPermits book = new HeldPermits();
    Counted first = new Counted();
    Counted second = new Counted();
    Counted third = new Counted();
    book.hold(first);
    book.hold(second);
    book.hold(third);
    ExecutorService stranger = Executors.newSingleThreadExecutor();
    try {
      assertThat(stranger.submit(book::take).get()).isSameAs(first);
      assertThat(book.take()).isSameAs(third);
      assertThat(book.take()).isSameAs(second);
      assertThat(book.take()).isNull();
      assertThat(stranger.submit(book::take).get()).isNull();
    } finally {
      stranger.shutdownNow();
    }
  }
}
