package dev.lanes.review;

import dev.lanes.Cancellable;
import dev.lanes.Lane;
import dev.lanes.LaneBuilder;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneScheduler;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.Ticker;
import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lane in front of a device on which every call takes exactly one millisecond of virtual time,
 * played by the test: for the early-refusal tests, which compare what an {@code ADAPTIVE} lane
 * refuses with what a {@code FIFO} one serves. Timeouts never fire (every wait here is long
 * enough, or refused at once).
 *
 * <pre>{@code
 * MillisecondDevice run = new MillisecondDevice(Lane.builder("x").limits(4, 4, 4));
 * run.queue.add(run.lane.acquireAsync(Priority.NORMAL, MillisecondDevice.PATIENT));
 * run.collect();
 * run.tick();
 * }</pre>
 */
public final class MillisecondDevice {

  public static final Duration PATIENT = Duration.ofSeconds(60);
  public static final long MS = 1_000_000L;

  /** The virtual clock, and a scheduler whose timeouts never fire. */
  public static final class VirtualTime implements Ticker, LaneScheduler {
    public final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
      return now.get();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      return () -> true;
    }
  }

  /** A permit out, with the virtual time at which it was granted. */
  public record Held(Permit permit, long grantedAt) {}

  public final VirtualTime time = new VirtualTime();
  public final Lane lane;
  /** The futures of the queued callers, in the order they asked. */
  public final List<CompletableFuture<Permit>> queue = new ArrayList<>();
  /** The calls on the device now. */
  public final List<Held> running = new ArrayList<>();
  /** The first of {@link #queue} not yet granted. */
  public int nextInQueue;

  /** Builds {@code lane} on the virtual clock, with a fixed limit, no window, a long queue. */
  public MillisecondDevice(LaneBuilder lane) {
    this.lane = lane.algorithm((w, l) -> l).maxQueued(10_000).ticker(time).scheduler(time)
        .window(WindowConfig.disabled()).maxWait(PATIENT).build();
  }

  /** A call that took its permit on the fast path goes on the device now. */
  public void hold(Permit permit) {
    running.add(new Held(permit, time.now.get()));
  }

  /** Moves queued callers whose futures completed onto the device, in the order they asked. */
  public void collect() {
    while (nextInQueue < queue.size() && queue.get(nextInQueue).isDone()) {
      hold(queue.get(nextInQueue).join());
      nextInQueue++;
    }
  }

  /** One millisecond of the device: every call granted 1 ms ago or more finishes. */
  public void tick() {
    time.now.addAndGet(MS);
    List<Held> done = new ArrayList<>();
    for (Held h : running) {
      if (time.now.get() - h.grantedAt >= MS) {
        done.add(h);
      }
    }
    running.removeAll(done);
    for (Held h : done) {
      h.permit.close();
      collect();
    }
  }

  /** Callers queued and not yet granted. */
  public int queued() {
    return queue.size() - nextInQueue;
  }

  /** A caller that joined the queue, and how long the device ran before it was served. */
  public record Newcomer(CompletableFuture<Permit> call, int ahead, long waitedNanos) {}

  /**
   * A NORMAL caller with {@code maxWait} joins the queue, and the device runs until it is served
   * or {@code maxWait} has passed (timeouts never fire here, so the test judges that).
   */
  public Newcomer serveNewcomer(Duration maxWait) {
    long arrived = time.now.get();
    int ahead = queued();
    CompletableFuture<Permit> call = lane.acquireAsync(Priority.NORMAL, maxWait);
    queue.add(call);
    while (!call.isDone() && time.now.get() - arrived < maxWait.toNanos()) {
      tick();
    }
    return new Newcomer(call, ahead, time.now.get() - arrived);
  }

  /** "refused REASON" for a refused call, else "waiting" (it may be granted already). */
  public static String outcome(CompletableFuture<Permit> call) {
    if (!call.isCompletedExceptionally()) {
      return "waiting";
    }
    try {
      call.join();
      return "waiting";
    } catch (CompletionException e) {
      return e.getCause() instanceof LaneRejectedException r ? "refused " + r.reason()
          : e.getCause().toString();
    }
  }
}
