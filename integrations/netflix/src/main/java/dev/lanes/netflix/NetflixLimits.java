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
   * Runs {@code limit} inside a lane, as it would run inside a Netflix limiter:
   *
   * <ul>
   *   <li>A lane built without {@code limits(...)} starts at {@code limit.getLimit()}; with them, at
   *       their initial value.
   *   <li>Every released permit that carries a sample goes to {@link Limit#onSample}.
   *   <li>Every change the limit announces through {@link Limit#notifyOnChange} moves the lane's
   *       limit at once, so a {@code SettableLimit} or a per-sample limit such as
   *       {@code VegasLimit} acts on the next call, not at the next window. Each closed window also
   *       reads {@link Limit#getLimit()}, for limits that change without telling.
   *   <li>The lane clamps every value to its {@code [min, max]}.
   * </ul>
   *
   * <p>The returned algorithm belongs to one lane, and so does {@code limit}: it keeps its state
   * and listeners.
   *
   * <pre>{@code
   * SettableLimit limit = SettableLimit.startingAt(30);
   * Lane lane = Lane.builder("api").algorithm(NetflixLimits.asAlgorithm(limit)).build(); // at 30
   * limit.setLimit(12);                                                      // lane.limit() == 12
   * }</pre>
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
   * priority from its context. Like Netflix's {@code SimpleLimiter}, {@code acquire} never waits:
   * it returns a listener if the lane admits the call now, and empty otherwise. Wrap it in
   * Netflix's {@code BlockingLimiter} or {@code LifoBlockingLimiter} to wait, or use the lane's
   * own {@code acquire}, which hands freed permits over in priority order.
   *
   * <p>Two differences from Netflix's limiters are deliberate:
   *
   * <ul>
   *   <li><b>A bypassed call still counts.</b> A context mapped to {@link Priority#CRITICAL} is
   *       admitted whatever the limit, as a call that Netflix's {@code bypassLimitResolver}
   *       matches is. But in Netflix a bypassed call takes no slot and gives the limit no sample;
   *       in a lane it takes a slot in {@link Lane#inFlight()} and, on {@code onSuccess()}, gives
   *       a sample, because it uses the same resource and its latency is the resource's (rule 4 of
   *       a lane). Only the critical ceiling refuses it.
   *   <li><b>A listener releases once.</b> The first of {@code onSuccess}, {@code onDropped} and
   *       {@code onIgnore} counts and later calls do nothing, where Netflix's would release again.
   * </ul>
   *
   * <pre>{@code
   * Limiter<Request> limiter = NetflixLimits.asLimiter(lane,
   *     request -> request.isHealthCheck() ? Priority.CRITICAL : Priority.NORMAL);
   * Optional<Limiter.Listener> listener = limiter.acquire(request);
   * if (listener.isEmpty()) return reject(request);
   * try { serve(request); listener.get().onSuccess(); }
   * catch (TimeoutException e) { listener.get().onDropped(); }
   * finally { listener.get().onIgnore(); }                   // a no-op once released
   * }</pre>
   */
  public static <ContextT> Limiter<ContextT> asLimiter(
      Lane lane, Function<? super ContextT, Priority> priorityOf) {
    return new LaneLimiter<>(Objects.requireNonNull(lane, "lane"),
        Objects.requireNonNull(priorityOf, "priorityOf"));
  }
}
