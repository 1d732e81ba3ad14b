package dev.lanes.sim;

import dev.lanes.LaneScheduler;
import dev.lanes.Ticker;
import java.util.SplittableRandom;

/**
 * A discrete-event loop in virtual time. Events run in time order, ties in the order they were
 * scheduled, so a run depends only on its seed. It supplies the {@link Ticker} and the
 * {@link LaneScheduler} that real lanes run on inside a simulation.
 *
 * <pre>{@code
 * Simulation sim = new Simulation(42);
 * sim.at(Simulation.seconds(1), () -> System.out.println("one virtual second"));
 * sim.runUntil(Simulation.seconds(10));
 * }</pre>
 */
public final class Simulation {

  private final EventQueue events = new EventQueue();
  private final SplittableRandom random;
  private long now;
  private long sequence;

  public Simulation(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Nanoseconds in {@code seconds} seconds. */
  public static long seconds(double seconds) {
    return (long) (seconds * 1e9);
  }

  /** The current virtual time, in nanoseconds from the start. */
  public long now() {
    return now;
  }

  /** A clock that reads this simulation's virtual time. */
  public Ticker ticker() {
    return () -> now;
  }

  /** A scheduler whose tasks run as events of this simulation. */
  public LaneScheduler scheduler() {
    return (task, delayNanos) -> {
      Event event = after(delayNanos, task);
      return () -> event.cancel();
    };
  }

  /** An independent random stream, split from the simulation's seed in a fixed order. */
  public SplittableRandom newRandom() {
    return random.split();
  }

  /** Runs {@code action} at virtual time {@code timeNanos}, or now if that is in the past. */
  public Event at(long timeNanos, Runnable action) {
    Event event = new Event(this, Math.max(now, timeNanos), sequence++, action);
    events.add(event);
    return event;
  }

  /** Runs {@code action} {@code delayNanos} from now. */
  public Event after(long delayNanos, Runnable action) {
    return at(now + Math.max(0, delayNanos), action);
  }

  /** Runs events until none is left before {@code endNanos}; the clock ends at it. */
  public void runUntil(long endNanos) {
    Event event;
    while ((event = events.pollUntil(endNanos)) != null) {
      now = event.time;
      if (!event.cancelled) {
        event.done = true;
        event.action.run();
      }
    }
    now = Math.max(now, endNanos);
  }

  /** A scheduled action that can be called off until it runs. */
  public static final class Event {
    private final Simulation sim;
    private final long time;
    private final long sequence;
    private final Runnable action;
    private boolean cancelled;
    private boolean done;
    /** Whether it waits in the event queue's ring rather than its heap. */
    boolean inWheel;

    private Event(Simulation sim, long time, long sequence, Runnable action) {
      this.sim = sim;
      this.time = time;
      this.sequence = sequence;
      this.action = action;
    }

    /** Calls the event off; false if it already ran or was cancelled. */
    public boolean cancel() {
      if (cancelled || done) {
        return false;
      }
      cancelled = true;
      sim.events.cancelled(this);
      return true;
    }

    long time() {
      return time;
    }

    long sequence() {
      return sequence;
    }

    boolean isCancelled() {
      return cancelled;
    }
  }
}
