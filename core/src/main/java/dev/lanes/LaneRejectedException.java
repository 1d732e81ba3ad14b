package dev.lanes;

import java.util.Objects;

/**
 * Thrown by {@link Lane#acquire} and {@link Lane#call}, and used to complete the future of
 * {@link Lane#acquireAsync}, when a lane refuses a call. It says why, in which lane, and how full
 * the lane was.
 *
 * <pre>{@code
 * try {
 *   return lane.call(Priority.NORMAL, this::load);
 * } catch (LaneRejectedException e) {
 *   if (e.reason() == LaneRejectedException.Reason.TIMEOUT) metrics.slow(e.laneName());
 *   throw e;
 * }
 * }</pre>
 *
 * <p>Refusals are a normal answer under overload, so the exception carries no stack trace: filling
 * one in would make shedding load more expensive than serving it.
 */
public final class LaneRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why a lane refused a call. */
  public enum Reason {
    /** No permit was free and the call could not wait (a {@code tryAcquire}, or a zero wait). */
    LIMIT_REACHED,
    /** No permit was free and the wait queue was full. */
    QUEUE_FULL,
    /** The call waited as long as it was allowed to. */
    TIMEOUT,
    /** A waiting {@link Priority#BACKGROUND} call made room for a {@link Priority#NORMAL} one. */
    EVICTED,
    /** A {@link Priority#CRITICAL} call found the lane at its critical ceiling. */
    CEILING,
    /** The lane is closed. */
    CLOSED
  }

  private final Reason reason;
  private final String laneName;
  private final Priority priority;
  private final int limit;
  private final int inFlight;

  /**
   * Creates the exception; {@code limit} and {@code inFlight} are the lane's values when it
   * refused.
   */
  public LaneRejectedException(
      Reason reason, String laneName, Priority priority, int limit, int inFlight) {
    // No message now: a lane under overload refuses thousands of calls a second, and most of
    // these exceptions are never printed. getMessage() writes it when someone asks.
    super(null, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.laneName = Objects.requireNonNull(laneName, "laneName");
    this.priority = Objects.requireNonNull(priority, "priority");
    this.limit = limit;
    this.inFlight = inFlight;
  }

  @Override
  public String getMessage() {
    return "lane '" + laneName + "' refused a " + priority + " call: " + reason
        + " (limit " + limit + ", in flight " + inFlight + ")";
  }

  /** Why the call was refused. */
  public Reason reason() {
    return reason;
  }

  /** The name of the lane that refused. */
  public String laneName() {
    return laneName;
  }

  /** The priority of the refused call. */
  public Priority priority() {
    return priority;
  }

  /** The lane's limit when it refused. */
  public int limit() {
    return limit;
  }

  /** The lane's in-flight count when it refused. */
  public int inFlight() {
    return inFlight;
  }
}
