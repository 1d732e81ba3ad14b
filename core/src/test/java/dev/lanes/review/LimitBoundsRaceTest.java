package dev.lanes.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.limit.WindowConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * {@code Lane.setLimitBounds} reads the limit outside {@code limitLock} and applies what it read
 * later: {@code applyLimit(gate.limit())}. A limit set in between (the algorithm's
 * {@code LimitControl.propose}, or a window closing) is overwritten with the stale value, even
 * when the bounds do not change at all; a limit the algorithm just raised can be put back down,
 * or one it just lowered put back up, with an {@code onLimitChanged} no one asked for. Here one
 * thread sets the same bounds [1, 10] over and over, which must never move an in-bounds limit,
 * and another proposes 3 and 8 in turn and reads the limit back.
 *
 * <p>The same two-step update breaks rule 1 ("min <= limit <= max at all times", which the
 * comment on {@code Lane.limitLock} promises): the new bounds are published before the limit is
 * clamped into them, so a reader sees {@code maxLimit() == 2} and then {@code limit() == 10}.
 */
class LimitBoundsRaceTest {

  @Test
  @Timeout(60)
  void settingUnchangedBoundsRevertsALimitProposedAtTheSameMoment() throws Exception {
    Fixtures.Steer steer = new Fixtures.Steer();
    Lane lane = Lane.builder("bounds").algorithm(steer).limits(1, 2, 10)
        .window(WindowConfig.disabled()).build();
    AtomicBoolean stop = new AtomicBoolean();
    Thread operator = new Thread(() -> {
      while (!stop.get()) {
        lane.setLimitBounds(1, 10);
      }
    }, "operator");
    operator.start();
    long rounds = 0;
    String failure = null;
    try {
      long deadline = System.nanoTime() + 3_000_000_000L;
      for (; failure == null && rounds < 50_000_000 && System.nanoTime() < deadline; rounds++) {
        int proposed = (rounds & 1) == 0 ? 3 : 8;
        steer.control.propose(proposed);
        int read = lane.limit();
        if (read != proposed) {
          failure = "round " + rounds + ": proposed " + proposed + ", limit read back " + read
              + ", with only setLimitBounds(1, 10) running beside";
        }
      }
    } finally {
      stop.set(true);
      operator.join();
    }
    assertThat(failure).as("after %d rounds", rounds).isNull();
  }
  @Test
  @Timeout(60)
  void aReaderSeesTheLimitAboveTheNewMax() throws Exception {
    Lane lane = Lane.builder("bounds-rule1").algorithm((w, l) -> l).limits(10, 10, 20)
        .window(WindowConfig.disabled()).build();
    // Three separate getters can straddle a change; a snapshot reads min, limit and max as one.
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    Thread operator = new Thread(() -> {
      while (!stop.get()) {
        calls.incrementAndGet();
        lane.setLimitBounds(1, 2);   // limit 10 -> 2
        calls.incrementAndGet();
        calls.incrementAndGet();
        lane.setLimitBounds(10, 20); // limit 2 -> 10
        calls.incrementAndGet();
      }
    }, "operator");
    operator.start();
    String failure = null;
    long readings = 0;
    try {
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (failure == null && System.nanoTime() < deadline) {
        readings++;
        dev.lanes.LaneSnapshot s = lane.snapshot(); // min, limit and max read as one
        int min = s.minLimit();
        int max = s.maxLimit();
        int limit = s.limit();
        if (limit > max || limit < min) {
          failure = "min " + min + ", max " + max + ", limit " + limit + " in one snapshot";
        }
      }
    } finally {
      stop.set(true);
      operator.join();
    }
    assertThat(failure).as("after %d readings", readings).isNull();
  }
}
