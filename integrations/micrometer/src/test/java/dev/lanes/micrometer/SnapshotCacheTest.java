package dev.lanes.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SnapshotCacheTest {

  private final Lane lane = Lane.builder("cache").limits(1, 8, 8).build();
  private final List<LaneSnapshot> taken = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong();
  private final SnapshotCache cache = new SnapshotCache(() -> {
    LaneSnapshot snapshot = lane.snapshot();
    taken.add(snapshot);
    return snapshot;
  }, clock::get);

  @Test
  void distinctMetersShareOneSnapshotAndARepeatedOneStartsTheNext() {
    int a = cache.newSlot();
    int b = cache.newSlot();

    assertThat(cache.counter(a, s -> s.admitted(Priority.NORMAL))).isZero();
    lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    // Same scrape: b reads the snapshot a took, before the admission.
    assertThat(cache.counter(b, s -> s.admitted(Priority.NORMAL))).isZero();
    assertThat(taken).hasSize(1);

    // a again: a new scrape, a new snapshot, and b is served from it.
    assertThat(cache.counter(a, s -> s.admitted(Priority.NORMAL))).isEqualTo(1);
    assertThat(cache.gauge(b, s -> s.admitted(Priority.NORMAL))).isEqualTo(1);
    assertThat(taken).hasSize(2);
  }

  @Test
  void aSnapshotServesNewMetersOnlyUntilItIsTooOld() {
    int a = cache.newSlot();
    int b = cache.newSlot();
    int c = cache.newSlot();
    cache.gauge(a, LaneSnapshot::inFlight);

    clock.addAndGet(SnapshotCache.MAX_AGE_NANOS);
    cache.gauge(b, LaneSnapshot::inFlight);
    assertThat(taken).hasSize(1);

    clock.addAndGet(1);
    cache.gauge(c, LaneSnapshot::inFlight);
    assertThat(taken).hasSize(2);
  }

  @Test
  void aReadFromAnotherThreadIsAnotherScrape() throws Exception {
    int a = cache.newSlot();
    int b = cache.newSlot();
    cache.gauge(a, LaneSnapshot::inFlight);
    Permit permit = lane.tryAcquire(Priority.NORMAL).orElseThrow();

    double[] seen = new double[1];
    Thread other = new Thread(() -> seen[0] = cache.gauge(b, LaneSnapshot::inFlight));
    other.start();
    other.join();

    assertThat(seen[0]).isEqualTo(1);
    assertThat(taken).hasSize(2);
    permit.close();
  }

  @Test
  void aCounterNeverGoesDown() {
    AtomicLong value = new AtomicLong(5);
    int slot = cache.newSlot();

    assertThat(cache.counter(slot, s -> value.get())).isEqualTo(5);
    value.set(3);
    assertThat(cache.counter(slot, s -> value.get())).isEqualTo(5);
    value.set(7);
    assertThat(cache.counter(slot, s -> value.get())).isEqualTo(7);
    // A gauge may go down.
    int gauge = cache.newSlot();
    value.set(3);
    assertThat(cache.gauge(gauge, s -> value.get())).isEqualTo(3);
  }

  @Test
  void slotsAreCountedPastTheFirstArray() {
    int last = -1;
    for (int i = 0; i < 200; i++) {
      last = cache.newSlot();
    }
    assertThat(last).isEqualTo(199);
    assertThat(cache.counter(last, s -> 42)).isEqualTo(42);
  }
}
