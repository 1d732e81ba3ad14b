package dev.lanes.micrometer;

import dev.lanes.Lane;
import dev.lanes.LaneListener;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.limit.WindowSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The meters of one lane in one meter registry, from binding until the lane closes.
 *
 * <p>Micrometer holds the object behind a function counter or timer weakly, so a binder that the
 * caller drops after {@code bindTo} would leave meters that read NaN. Here that object is the
 * lane's {@link SnapshotCache}, which this listener holds, and the lane holds this listener: the
 * meters read as long as the lane lives, and never keep a dropped lane alive.
 */
final class LaneMeters implements LaneListener {

  /** Waiting is exported for the priorities that can wait: {@code CRITICAL} never does. */
  private static final List<Priority> WAITING_PRIORITIES =
      List.of(Priority.NORMAL, Priority.BACKGROUND);
  private static final double[] PHIS = {0.5, 0.99};

  /**
   * Held weakly: a lane may outlive the meter registries it is bound to (one per test context,
   * per tenant), and must not keep one alive that the application has dropped.
   */
  private final WeakReference<MeterRegistry> registry;
  private final SnapshotCache snapshots;
  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final List<Meter> meters = new ArrayList<>();
  /** The registry while {@link #register} runs, held strongly for that long only. */
  private MeterRegistry target;
  private boolean closed;

  private LaneMeters(MeterRegistry registry, SnapshotCache snapshots) {
    this.registry = new WeakReference<>(registry);
    this.snapshots = snapshots;
  }

  /**
   * Registers {@code lane}'s meters in {@code registry}, to be removed when the lane closes.
   *
   * @param source the lane's snapshots: {@code lane::snapshot}, or a counting wrapper in tests
   */
  static void bind(Lane lane, Supplier<LaneSnapshot> source, MeterRegistry registry, Tags tags) {
    LaneMeters meters = new LaneMeters(registry, new SnapshotCache(source, System::nanoTime));
    // Listen first, then look: a close from here on is heard, and one before is seen.
    lane.addListener(meters);
    if (!lane.isClosed()) {
      meters.register(lane, Tags.of("lane", lane.name()).and(tags));
    }
  }

  @Override
  public void onClosed(Lane lane) {
    lock.lock();
    try {
      closed = true;
      MeterRegistry target = registry.get();
      if (target != null) {
        meters.forEach(target::remove);
      }
      meters.clear();
    } finally {
      lock.unlock();
    }
  }

  private void register(Lane lane, Tags laneTags) {
    lock.lock();
    try {
      target = registry.get();
      if (closed || target == null) {
        return;
      }
      add(Gauge.builder("lanes.limit", lane, Lane::limit)
          .description("The lane's limit: how many NORMAL calls may be in flight")
          .tags(laneTags)
          .register(target));
      add(Gauge.builder("lanes.in.flight", lane, Lane::inFlight)
          .description("Permits out now, every priority together")
          .tags(laneTags)
          .register(target));
      for (Priority p : WAITING_PRIORITIES) {
        int slot = snapshots.newSlot();
        add(Gauge.builder("lanes.waiting", snapshots, s -> s.gauge(slot, snap -> snap.waiting(p)))
            .description("Calls waiting for a permit now")
            .tags(laneTags.and("priority", lowerCase(p)))
            .register(target));
      }
      for (Priority p : Priority.values()) {
        Tags tags = laneTags.and("priority", lowerCase(p));
        counter("lanes.admitted", "Permits granted", tags, snap -> snap.admitted(p));
        for (Reason reason : Reason.values()) {
          counter("lanes.rejected", "Calls refused, by reason",
              tags.and("reason", lowerCase(reason)), snap -> snap.rejected(p, reason));
        }
        String released = "Permits released, by outcome: success (close), dropped, ignored";
        counter("lanes.released", released, tags.and("outcome", "success"),
            snap -> snap.completed(p));
        counter("lanes.released", released, tags.and("outcome", "dropped"),
            snap -> snap.dropped(p));
        counter("lanes.released", released, tags.and("outcome", "ignored"),
            snap -> snap.ignored(p));
        latency(p, tags);
      }
    } finally {
      target = null;
      lock.unlock();
    }
  }

  private void counter(String name, String description, Tags tags,
      ToLongFunction<LaneSnapshot> value) {
    int slot = snapshots.newSlot();
    add(FunctionCounter.builder(name, snapshots, s -> s.counter(slot, value))
        .description(description)
        .tags(tags)
        .register(target));
  }

  private void latency(Priority p, Tags tags) {
    int count = snapshots.newSlot();
    int total = snapshots.newSlot();
    add(FunctionTimer.builder("lanes.latency", snapshots,
            s -> s.counter(count, snap -> snap.timed(p)),
            s -> s.counter(total, snap -> snap.totalLatencyNanos(p)),
            TimeUnit.NANOSECONDS)
        .description("Calls whose latency the lane timed (every one while calls are rare, one in"
            + " k on a busy lane), and the time they held their permits")
        .tags(tags)
        .register(target));
    for (double phi : PHIS) {
      int slot = snapshots.newSlot();
      add(Gauge.builder("lanes.latency.percentile", snapshots,
              s -> s.gauge(slot, snap -> lastWindowSeconds(snap, p, phi)))
          .description("Latency percentile of the calls in the last closed window; NaN if it had"
              + " none of this priority")
          .baseUnit("seconds")
          .tags(tags.and("phi", Double.toString(phi)))
          .register(target));
    }
  }

  /** The window's part for {@code p}: the parts come in the order of {@link Priority}. */
  private static double lastWindowSeconds(LaneSnapshot snapshot, Priority p, double phi) {
    return snapshot.lastWindow()
        .map(WindowSummary::parts)
        .filter(parts -> parts.size() == Priority.values().length)
        .map(parts -> parts.get(p.ordinal()))
        .filter(part -> part.samples() > 0)
        .map(part -> part.percentileNanos(phi) / 1e9)
        .orElse(Double.NaN);
  }

  private void add(Meter meter) {
    meters.add(meter);
  }

  static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
