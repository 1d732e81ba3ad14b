package dev.lanes.review2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneListener;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitControl;
import dev.lanes.limit.WindowConfig;
import dev.lanes.limit.WindowSummary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a defect the second adversarial review reproduced; the text below
 * describes the failure as it was before the fix.
 *
 * {@code Lane.applyLimit} / {@code setLimitBounds} set the limit under {@code limitLock}, but
 * {@code limitMoved} tells listeners (and JFR's {@code LimitChanged}) after the lock is gone, and
 * after {@code room.requestDispatch()}, which runs the granted waiters' callbacks. A change made
 * in between (by such a callback, by the algorithm's {@code LimitControl}, by an operator's
 * {@code setLimitBounds} on another thread) is announced first: listeners hear 5 -> 3 and then
 * 2 -> 5. The events do not chain (the second's old value is not the first's new one), and a
 * listener that keeps the last {@code newLimit} it heard (a log line "limit now 5", a dashboard)
 * is left with 5 while the lane's limit is 3, for good.
 */
class LimitEventOrderTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void aLimitChangeMadeWhileTheRaiseIsBeingAnnouncedIsHeardBeforeTheRaise() {
    LimitControl[] control = new LimitControl[1];
    LimitAlgorithm algorithm = new LimitAlgorithm() {
      @Override
      public void attach(LimitControl lane) {
        control[0] = lane;
      }

      @Override
      public int update(WindowSummary window, int currentLimit) {
        return currentLimit;
      }
    };
    List<String> heard = new CopyOnWriteArrayList<>();
    Lane lane = Lane.builder("events").algorithm(algorithm).limits(1, 2, 10)
        .window(WindowConfig.disabled()).callbackExecutor(Runnable::run)
        .listener(new LaneListener() {
          @Override
          public void onLimitChanged(Lane l, int oldLimit, int newLimit) {
            heard.add(oldLimit + "->" + newLimit);
          }
        })
        .build();
    Permit a = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    Permit b = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    CompletableFuture<Permit> waiter = lane.acquireAsync(Priority.NORMAL, LONG);
    // Whoever got the permit reacts by lowering the limit (or any other thread does, now).
    waiter.thenAccept(p -> control[0].propose(3));

    control[0].propose(5); // raise: wakes the waiter

    assertThat(lane.limit()).isEqualTo(3);
    assertThat(heard)
        .as("limit changes heard, in order; the lane's limit is now %d", lane.limit())
        .containsExactly("2->5", "5->3");
    waiter.join().close();
    a.close();
    b.close();
  }
}
