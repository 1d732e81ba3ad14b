package dev.lanes.servlet;

import dev.lanes.Lane;

/**
 * Decides how a finished request releases its permit, from the response's status and the
 * failure, if any, that ended it.
 *
 * <pre>{@code
 * LaneFilter.builder(lane)
 *     .outcome((status, failure, lane) -> status == 429
 *         ? Outcome.DROPPED                                   // the app sheds load itself
 *         : OutcomeMapping.standard().map(status, failure, lane))
 *     .build();
 * }</pre>
 *
 * <p>The failure is what the application threw, what the container reported to an
 * {@code AsyncListener} as an error, or a {@link java.util.concurrent.TimeoutException} when the
 * application's own async request timed out. A mapping that throws releases the permit without a
 * sample.
 */
@FunctionalInterface
public interface OutcomeMapping {

  /**
   * The outcome of a request that ended with {@code status} and {@code failure} (null when the
   * response was completed normally) in {@code lane}.
   */
  Outcome map(int status, Throwable failure, Lane lane);

  /**
   * The default: a failure the lane counts as overload ({@link Lane#isOverload}, tried on the
   * failure and its causes, so a {@code ServletException} wrapping a timeout counts) is
   * {@link Outcome#DROPPED}, any other failure {@link Outcome#IGNORED}; then a 503 or 504 is
   * {@code DROPPED}, any other 5xx {@code IGNORED}, and everything below 500 a
   * {@link Outcome#SUCCESS} with its latency.
   */
  static OutcomeMapping standard() {
    return (status, failure, lane) -> {
      if (failure != null) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
          if (lane.isOverload(t)) {
            return Outcome.DROPPED;
          }
        }
        return Outcome.IGNORED;
      }
      if (status == 503 || status == 504) {
        return Outcome.DROPPED;
      }
      return status >= 500 ? Outcome.IGNORED : Outcome.SUCCESS;
    };
  }
}
