package dev.lanes;

import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.limit.WindowSummary;
import java.util.concurrent.atomic.AtomicLongArray;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A lane's JDK Flight Recorder events: {@code dev.lanes.LimitChanged}, {@code dev.lanes.WindowClosed}
 * and {@code dev.lanes.Rejected}, in the category "Lanes".
 *
 * <p>Nothing here runs per admission. Limit changes and windows are rare; a refusal is counted
 * and, at most once per reason every 100 ms, reported as one event that says how many refusals it
 * stands for, so an overload does not flood the recording. Until a recording has started in this
 * JVM the cost is one static check; on a runtime without the {@code jdk.jfr} module, none at all.
 */
final class LaneEvents {

  /** The shortest time between two {@code Rejected} events of one lane and reason. */
  static final long REJECTED_EVERY_NANOS = 100_000_000L;

  private static final boolean JFR_PRESENT =
      ModuleLayer.boot().findModule("jdk.jfr").isPresent();

  private static final Reason[] REASONS = Reason.values();

  private final String lane;
  private final AtomicLongArray lastRejected = new AtomicLongArray(REASONS.length);
  private final AtomicLongArray unreported = new AtomicLongArray(REASONS.length);

  LaneEvents(String lane) {
    this.lane = lane;
  }

  void limitChanged(int oldLimit, int newLimit, String algorithm, WindowSummary window) {
    if (!recording()) {
      return;
    }
    LimitChanged event = new LimitChanged();
    if (event.shouldCommit()) {
      event.lane = lane;
      event.oldLimit = oldLimit;
      event.newLimit = newLimit;
      event.algorithm = algorithm;
      if (window != null) {
        event.describe(window);
      }
      event.commit();
    }
  }

  void windowClosed(WindowSummary window, int limit) {
    if (!recording()) {
      return;
    }
    WindowClosed event = new WindowClosed();
    if (event.shouldCommit()) {
      event.lane = lane;
      event.limit = limit;
      event.describe(window);
      event.completionsPerSecond = window.completionsPerSecond();
      event.commit();
    }
  }

  void rejected(Priority priority, Reason reason) {
    if (!recording()) {
      return;
    }
    int r = reason.ordinal();
    unreported.incrementAndGet(r);
    long now = System.nanoTime();
    long last = lastRejected.get(r);
    if (last != 0 && now - last < REJECTED_EVERY_NANOS) {
      return;
    }
    if (!lastRejected.compareAndSet(r, last, now == 0 ? 1 : now)) {
      return; // another refusal of this reason reports it
    }
    long count = unreported.getAndSet(r, 0);
    Rejected event = new Rejected();
    if (count > 0 && event.shouldCommit()) {
      event.lane = lane;
      event.priority = priority.name();
      event.reason = reason.name();
      event.count = count;
      event.commit();
    }
  }

  /** Whether a recording has ever started in this JVM; until then no event can be enabled. */
  private static boolean recording() {
    return JFR_PRESENT && FlightRecorder.isInitialized();
  }

  /** The fields of a window that explain a limit. */
  @Category("Lanes")
  @StackTrace(false)
  abstract static class WindowEvent extends Event {
    @Label("Lane")
    String lane;

    @Label("Samples")
    @Description("Calls released with a latency sample in the window")
    int samples;

    @Label("Drops")
    @Description("Calls released as dropped (overload) in the window")
    int drops;

    @Label("Quantile")
    @Description("The quantile the lane steers by, e.g. 0.99")
    double quantile;

    @Label("Tail Latency")
    @Description("The latency at the lane's quantile in the window")
    @Timespan(Timespan.NANOSECONDS)
    long tail;

    @Label("Typical Latency")
    @Description("The median latency in the window")
    @Timespan(Timespan.NANOSECONDS)
    long typical;

    @Label("Peak In Flight")
    int peakInFlight;

    @Label("Blocked Calls")
    @Description("Calls that found no permit free in the window, -1 if unknown")
    long blocked;

    /** Copies what explains a limit from {@code window}. */
    final void describe(WindowSummary window) {
      samples = window.samples();
      drops = window.drops();
      quantile = window.quantile();
      tail = window.tailNanos();
      typical = window.percentileNanos(0.5);
      peakInFlight = window.maxInFlight();
      blocked = window.blocked();
    }
  }

  @Name("dev.lanes.LimitChanged")
  @Category("Lanes")
  @StackTrace(false)
  @Label("Lane Limit Changed")
  @Description("A lane's limit moved; the window behind the decision, if a window made it")
  static final class LimitChanged extends WindowEvent {
    @Label("Old Limit")
    int oldLimit;

    @Label("New Limit")
    int newLimit;

    @Label("Algorithm")
    String algorithm;
  }

  @Name("dev.lanes.WindowClosed")
  @Category("Lanes")
  @StackTrace(false)
  @Label("Lane Window Closed")
  @Description("A lane closed a latency window and ran its algorithm. Off by default: enable it"
      + " with +dev.lanes.WindowClosed#enabled=true")
  @Enabled(false)
  static final class WindowClosed extends WindowEvent {
    @Label("Limit")
    @Description("The limit after the window")
    int limit;

    @Label("Completions per Second")
    double completionsPerSecond;
  }

  @Name("dev.lanes.Rejected")
  @Label("Lane Refused Calls")
  @Description("A lane refused calls; at most one event per lane and reason every 100 ms, with"
      + " the number of refusals it stands for")
  @Category("Lanes")
  @StackTrace(false)
  static final class Rejected extends Event {
    @Label("Lane")
    String lane;

    @Label("Priority")
    @Description("The priority of the refusal that emitted the event")
    String priority;

    @Label("Reason")
    String reason;

    @Label("Refusals")
    @Description("Refusals of this reason since the lane's previous event of it")
    long count;
  }
}
