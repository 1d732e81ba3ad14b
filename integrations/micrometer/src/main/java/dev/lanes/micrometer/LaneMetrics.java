package dev.lanes.micrometer;

import dev.lanes.Lane;
import dev.lanes.registry.LaneRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Exports lanes to Micrometer: the limit, what is in flight and waiting, admissions, refusals by
 * reason, releases by outcome and latency, per priority.
 *
 * <pre>{@code
 * LaneRegistry lanes = LaneRegistry.create();
 * LaneMetrics.of(lanes).tags(Tags.of("service", "catalog")).bindTo(meterRegistry);
 *
 * Lane payments = lanes.named("payments-api");     // bound too: lanes created later are followed
 * LaneMetrics.of(Lane.builder("zlib").build()).bindTo(meterRegistry);    // or a single lane
 * }</pre>
 *
 * <table>
 *   <caption>Meters; every one is tagged {@code lane} with the lane's name</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code lanes.limit}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code lanes.in.flight}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code lanes.waiting}</td><td>gauge</td>
 *       <td>{@code priority} (normal, background)</td></tr>
 *   <tr><td>{@code lanes.admitted}</td><td>function counter</td><td>{@code priority}</td></tr>
 *   <tr><td>{@code lanes.rejected}</td><td>function counter</td>
 *       <td>{@code priority}, {@code reason} (limit_reached, queue_full, timeout, evicted,
 *       ceiling, closed)</td></tr>
 *   <tr><td>{@code lanes.released}</td><td>function counter</td>
 *       <td>{@code priority}, {@code outcome} (success, dropped, ignored)</td></tr>
 *   <tr><td>{@code lanes.latency}</td><td>function timer</td><td>{@code priority}</td></tr>
 *   <tr><td>{@code lanes.latency.percentile}</td><td>gauge, seconds</td>
 *       <td>{@code priority}, {@code phi} (0.5, 0.99)</td></tr>
 * </table>
 *
 * <p>Every value is read when the registry reads it, from the lane's own counters; binding adds
 * nothing to {@code tryAcquire} or {@code Permit.close()}. A scrape takes one
 * {@link Lane#snapshot()} per lane, whatever the number of meters. The latency timer holds the
 * calls the lane timed: every call while calls are rare, one in {@code k} on a busy lane (see
 * {@code WindowConfig.timedCalls}), so its mean is right and its count may be below
 * {@code lanes.released{outcome=success}}, which counts every call; its total time comes from the
 * lane's histogram, within about 3% of the true sum. {@code lanes.latency.percentile} is the last
 * closed window's, the same numbers the lane's limit algorithm saw, and NaN while no window has
 * closed with calls of that priority.
 *
 * <p>When a lane closes, its meters are removed from every registry it was bound to. Lane names
 * should be unique within a meter registry: two lanes of one name would share one set of meters.
 */
public final class LaneMetrics implements MeterBinder {

  /** Tag keys the binder sets itself; extra tags may not use them. */
  private static final Set<String> OWN_KEYS =
      Set.of("lane", "priority", "reason", "outcome", "phi");

  private final Consumer<Consumer<Lane>> lanes;
  private final Tags tags;

  private LaneMetrics(Consumer<Consumer<Lane>> lanes, Tags tags) {
    this.lanes = lanes;
    this.tags = tags;
  }

  /** A binder for one lane. */
  public static LaneMetrics of(Lane lane) {
    Objects.requireNonNull(lane, "lane");
    return new LaneMetrics(bind -> bind.accept(lane), Tags.empty());
  }

  /**
   * A binder for every lane of {@code registry}: those it holds when {@link #bindTo} runs and
   * every one it creates afterwards (devices, named lanes, native libraries).
   */
  public static LaneMetrics of(LaneRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    return new LaneMetrics(registry::onEachLane, Tags.empty());
  }

  /**
   * Returns a binder that also adds {@code extraTags} to every meter, such as the service or the
   * host; this binder is unchanged.
   *
   * @throws IllegalArgumentException if a tag uses a key the binder sets itself: {@code lane},
   *     {@code priority}, {@code reason}, {@code outcome} or {@code phi}
   */
  public LaneMetrics tags(Iterable<Tag> extraTags) {
    Objects.requireNonNull(extraTags, "extraTags");
    for (Tag tag : extraTags) {
      if (OWN_KEYS.contains(tag.getKey())) {
        throw new IllegalArgumentException("tag '" + tag.getKey() + "' is set by LaneMetrics"
            + " itself; extra tags may not use the keys " + OWN_KEYS);
      }
    }
    return new LaneMetrics(lanes, tags.and(extraTags));
  }

  /** Registers the meters of the lane, or of every lane of the registry, in {@code registry}. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    // Weakly, for the lanes a registry of lanes creates later: its action outlives this call.
    WeakReference<MeterRegistry> target = new WeakReference<>(registry);
    lanes.accept(lane -> {
      MeterRegistry live = target.get();
      if (live != null && !live.isClosed()) {
        LaneMeters.bind(lane, lane::snapshot, live, tags);
      }
    });
  }

  @Override
  public String toString() {
    return "LaneMetrics" + tags;
  }
}
