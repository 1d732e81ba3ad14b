package dev.lanes.sim;

import dev.lanes.LaneRejectedException;
import dev.lanes.Permit;
import dev.lanes.Priority;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Takes each request from its load through the contender's admission to the device, and records
 * what happened. A request that completes after its priority's timeout is late: it is not goodput.
 * Its permit is released as dropped only if the device itself took longer than the timeout, which
 * is overload of the resource; a request made late by its wait in front of the limit says nothing
 * about the resource, and its permit is closed normally.
 *
 * <pre>{@code
 * traffic.issue(Priority.NORMAL, outcome -> System.out.println(outcome));
 * }</pre>
 */
public final class Traffic {

  /** How a request ended. */
  public enum Outcome { SERVED, LATE, REFUSED }

  private final Simulation sim;
  private final Device device;
  private final Admission admission;
  private final RunMetrics metrics;
  private final Map<Priority, Duration> timeouts;

  Traffic(Simulation sim, Device device, Admission admission, RunMetrics metrics,
      Map<Priority, Duration> timeouts) {
    this.sim = sim;
    this.device = device;
    this.admission = admission;
    this.metrics = metrics;
    this.timeouts = new EnumMap<>(timeouts);
  }

  public Simulation sim() {
    return sim;
  }

  /** Issues one request of {@code priority}; {@code onDone} hears how it ended. */
  public void issue(Priority priority, Consumer<Outcome> onDone) {
    long arrival = sim.now();
    Duration timeout = timeouts.get(priority);
    metrics.offered(priority);
    CompletableFuture<Permit> permit = admission.acquire(priority, timeout);
    // handle(), not whenComplete(): a whenComplete stage wraps a refusal in a fresh
    // CompletionException, stack trace and all, for nobody to read.
    permit.handle((granted, failure) -> {
      if (failure != null) {
        metrics.refused(priority, reasonOf(failure));
        onDone.accept(Outcome.REFUSED);
        return null;
      }
      long start = sim.now();
      device.submit(() -> {
        long end = sim.now();
        boolean late = end - arrival > timeout.toNanos();
        if (end - start > timeout.toNanos()) {
          granted.dropped();
        } else {
          granted.close();
        }
        metrics.served(priority, end - start, end - arrival, late);
        onDone.accept(late ? Outcome.LATE : Outcome.SERVED);
      });
      return null;
    });
  }

  /** Issues one request and ignores its outcome. */
  public void issue(Priority priority, Runnable ignored) {
    issue(priority, outcome -> ignored.run());
  }

  private static LaneRejectedException.Reason reasonOf(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    if (cause instanceof LaneRejectedException) {
      return ((LaneRejectedException) cause).reason();
    }
    throw new IllegalStateException("unexpected failure in the simulation", cause);
  }
}
