package dev.lanes.sim;

import dev.lanes.LaneScheduler;
import dev.lanes.Ticker;
import java.util.PriorityQueue;
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

  private final PriorityQueue<Event> events = new PriorityQueue<>();
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
    Event event = new Event(Math.max(now, timeNanos), sequence++, action);
    events.add(event);
    return event;
  }

  /** Runs {@code action} {@code delayNanos} from now. */
  public Event after(long delayNanos, Runnable action) {
    return at(now + Math.max(0, delayNanos), action);
  }

  /** Runs events until none is left before {@code endNanos}; the clock ends at it. */
  public void runUntil(long endNanos) {
    while (!events.isEmpty() && events.peek().time <= endNanos) {
      Event event = events.poll();
      now = event.time;
      if (!event.cancelled) {
        event.action.run();
      }
    }
    now = Math.max(now, endNanos);
  }

  /** A scheduled action that can be called off until it runs. */
  public static final class Event implements Comparable<Event> {
    private final long time;
    private final long sequence;
    private final Runnable action;
    private boolean cancelled;
    private boolean done;

    private Event(long time, long sequence, Runnable action) {
      this.time = time;
      this.sequence = sequence;
      this.action = () -> {
        done = true;
        action.run();
      };
    }

    /** Calls the event off; false if it already ran or was cancelled. */
    public boolean cancel() {
      if (cancelled || done) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
