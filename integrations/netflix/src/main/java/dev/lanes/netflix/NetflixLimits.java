package dev.lanes.netflix;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.limit.LimitAlgorithm;
import java.util.Objects;
import java.util.function.Function;

/**
 * Bridges Lanes and Netflix concurrency-limits in both directions.
 *
 * <pre>{@code
 * // A Netflix limit deciding a lane's limit:
 * Lane lane = Lane.builder("api")
 *     .algorithm(NetflixLimits.asAlgorithm(Gradient2Limit.newDefault()))
 *     .build();
 *
 * // A lane where code written for Netflix expects a Limiter:
 * Limiter<Request> limiter = NetflixLimits.asLimiter(lane, r -> r.isHealthCheck()
 *     ? Priority.CRITICAL : Priority.NORMAL);
 * }</pre>
 *
 * <p>The names {@code netflix-gradient2}, {@code netflix-vegas} and {@code netflix-aimd} are also
 * registered, each with Netflix's defaults: {@code Lane.builder("x").algorithm("netflix-vegas")}.
 */
public final class NetflixLimits {

  private NetflixLimits() {}

  /**
   * Runs {@code limit} inside a lane: every sample goes to {@link Limit#onSample}, and each closed
   * window reads {@link Limit#getLimit()}. The lane still clamps the result to its [min, max].
   */
  public static LimitAlgorithm asAlgorithm(Limit limit) {
    return new NetflixLimitAlgorithm(Objects.requireNonNull(limit, "limit"));
  }

  /** Exposes {@code lane} as a Netflix {@link Limiter} whose calls are all {@code NORMAL}. */
  public static <ContextT> Limiter<ContextT> asLimiter(Lane lane) {
    return asLimiter(lane, context -> Priority.NORMAL);
  }

  /**
   * Exposes {@code lane} as a Netflix {@link Limiter}; {@code priorityOf} picks each call's
   * priority from its context. Like Netflix's {@code SimpleLimiter}, {@code acquire} never waits.
   */
  public static <ContextT> Limiter<ContextT> asLimiter(
      Lane lane, Function<? super ContextT, Priority> priorityOf) {
    return new LaneLimiter<>(Objects.requireNonNull(lane, "lane"),
        Objects.requireNonNull(priorityOf, "priorityOf"));
  }
}
