package dev.lanes.resilience4j;

import dev.lanes.Cancellable;
import dev.lanes.LaneScheduler;
import dev.lanes.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A clock and an event queue in virtual time, for one thread: a lane's {@link Ticker} and
 * {@link LaneScheduler}, and the simulation's own events on the same queue. Nothing waits for real.
 */
final class VirtualTime implements Ticker, LaneScheduler {

  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private long now = 1_000_000_000L;
  private long sequence;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Event event = new Event(now + Math.max(0, delayNanos), sequence++, task);
    events.add(event);
    return () -> events.remove(event);
  }

  void after(Duration delay, Runnable task) {
    schedule(task, delay.toNanos());
  }

  /** Moves the clock forward without running anything (for tests that drive time by hand). */
  void advance(Duration duration) {
    now += duration.toNanos();
  }

  /** Runs events in time order until the clock would pass {@code until}. */
  void runUntil(Duration until) {
    long end = now + until.toNanos();
    while (!events.isEmpty() && events.peek().at <= end) {
      Event next = events.poll();
      now = next.at;
      next.task.run();
    }
    now = end;
  }

  private record Event(long at, long sequence, Runnable task) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
