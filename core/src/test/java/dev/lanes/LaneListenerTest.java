package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.LaneRejectedException.Reason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Listeners hear the events they override, can be removed, and hear a lane close. */
class LaneListenerTest {

  private final List<String> heard = new CopyOnWriteArrayList<>();

  @Test
  void eachListenerHearsWhatItOverridesAndNothingAfterItIsRemoved() {
    SteerableAlgorithm algorithm = new SteerableAlgorithm(1);
    Lane lane = SteerableAlgorithm.lane("listened", algorithm, 1, 1, 4).build();
    LaneListener refusals = new LaneListener() {
      @Override
      public void onRejected(Lane l, Priority priority, Reason reason) {
        heard.add("rejected " + reason);
      }
    };
    LaneListener limits = new LaneListener() {
      @Override
      public void onLimitChanged(Lane l, int oldLimit, int newLimit) {
        heard.add("limit " + oldLimit + "->" + newLimit);
      }

      @Override
      public void onClosed(Lane l) {
        heard.add("closed " + l.name());
      }
    };
    lane.addListener(refusals);
    lane.addListener(limits);

    Permit held = lane.tryAcquire(Priority.NORMAL).orElseThrow();
    lane.tryAcquire(Priority.NORMAL);
    algorithm.steer(lane, 3);
    assertThat(heard).containsExactly("rejected LIMIT_REACHED", "limit 1->3");

    assertThat(lane.removeListener(refusals)).isTrue();
    assertThat(lane.removeListener(refusals)).isFalse();
    lane.tryAcquire(Priority.CRITICAL).orElseThrow().close();
    lane.close();
    lane.tryAcquire(Priority.NORMAL);
    held.close();
    assertThat(heard).containsExactly("rejected LIMIT_REACHED", "limit 1->3", "closed listened");
  }
}
