package dev.lanes.servlet;

import dev.lanes.Permit;

/**
 * How a finished request releases its permit, and so what the lane's limit algorithm learns from
 * it. An {@link OutcomeMapping} picks one for each response.
 *
 * <pre>{@code
 * OutcomeMapping tooManyIsOverload = (status, failure, lane) -> status == 429
 *     ? Outcome.DROPPED
 *     : OutcomeMapping.standard().map(status, failure, lane);
 * }</pre>
 */
public enum Outcome {
  /** The request was served: {@link Permit#close()}, which records its latency. */
  SUCCESS,
  /** The request saw overload: {@link Permit#dropped()}, a drop for the algorithm. */
  DROPPED,
  /** The request says nothing about the resource: {@link Permit#ignore()}, no sample. */
  IGNORED;

  void release(Permit permit) {
    switch (this) {
      case SUCCESS:
        permit.close();
        break;
      case DROPPED:
        permit.dropped();
        break;
      default:
        permit.ignore();
        break;
    }
  }
}
