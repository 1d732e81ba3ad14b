package dev.lanes.servlet;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.LaneSnapshot;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.limit.WindowSummary;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A servlet filter that puts a {@link Lane} in front of an application: each request takes a
 * permit of its priority before the application sees it, and gives it back, exactly once, when
 * its response is done.
 *
 * <pre>{@code
 * Lane api = Lane.builder("api").limits(4, 16, 64).maxWait(Duration.ofMillis(500)).build();
 * LaneFilter filter = LaneFilter.builder(api)
 *     .priority(RequestPriorities.rules()
 *         .path("/export/*", Priority.BACKGROUND)
 *         .otherwise(RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8")))
 *     .bypass(RequestPaths.matching("/health"))
 *     .build();
 *
 * // in a ServletContainerInitializer or ServletContextListener:
 * filter.register(servletContext, "/*");   // async supported, REQUEST and ASYNC dispatches
 * }</pre>
 *
 * <p><b>Waiting holds no thread.</b> When no permit is free and the request supports async, the
 * filter suspends it with {@code startAsync}, waits with {@link Lane#acquireAsync}, and dispatches
 * it back into the chain when the permit arrives; a queued request costs no container thread.
 * A request that does not support async waits on its thread, up to {@code maxWait}. The filter
 * must therefore see {@link DispatcherType#ASYNC} dispatches as well as
 * {@link DispatcherType#REQUEST} ones ({@link #dispatcherTypes()}), and so must any filter after
 * it that has to run for every request: a request that waited reaches them as an ASYNC dispatch.
 *
 * <p><b>Release.</b> When the application returns without going async, the permit is released
 * as the filter returns. When it starts async, the permit is released when the container reports
 * the request complete, failed or timed out, whichever is first, on any dispatch that follows.
 * How it is released (a success with its latency, a drop, or nothing) is decided by the
 * {@link OutcomeMapping}; by default, a 503 or 504 from the application, or a failure the lane's
 * {@code overloadOn} matches, is a drop.
 *
 * <p><b>Refusal.</b> A refused request never reaches the application. It gets
 * {@code 503 Service Unavailable} (or the {@link Builder#rejectStatus status} you choose), a
 * {@code Retry-After} header in whole seconds, at least 1, estimated from how long the lane's queue
 * takes to drain, and a one-line plain-text body naming the reason. If something before the filter
 * already committed the response, nothing is written.
 *
 * <p><b>Client gone.</b> If the container reports that a waiting request's client went away (an
 * async error or timeout), the wait is withdrawn at once. Jetty 12.1 and Tomcat 11 report a reset
 * HTTP/2 stream, but not a closed HTTP/1.1 connection, whose request stays queued until it is
 * served or times out; either way the permit is not lost.
 */
public final class LaneFilter implements Filter {

  private static final System.Logger LOG = System.getLogger(LaneFilter.class.getName());
  /** Past this, a wait is "forever" to the container's async timer; the lane's timer still runs. */
  private static final Duration LONGEST_TIMED_WAIT = Duration.ofDays(1);
  /** The container's timer is a safety net behind the lane's: give the lane's time to ring. */
  private static final long CONTAINER_TIMEOUT_GRACE_MILLIS = 2_000;
  private static final int MAX_RETRY_AFTER_SECONDS = 60;

  private final Function<HttpServletRequest, Lane> laneForRequest;
  private final Function<HttpServletRequest, Priority> priority;
  private final Predicate<HttpServletRequest> bypass;
  private final Duration maxWait;
  private final int rejectStatus;
  private final OutcomeMapping outcome;
  private final String description;
  /** The request attribute under which this filter keeps a request's {@link Admission}. */
  private final String attribute;
  /** The attribute's value for a request that passed through unlimited (bypassed, or no lane). */
  private static final Object PASSED = new Object();
  private final AtomicBoolean warnedMissedDispatch = new AtomicBoolean();
  private final AtomicBoolean warnedClassifier = new AtomicBoolean();

  private LaneFilter(Builder builder) {
    this.laneForRequest = builder.laneForRequest;
    this.priority = builder.priority;
    this.bypass = builder.bypass;
    this.maxWait = builder.maxWait;
    this.rejectStatus = builder.rejectStatus;
    this.outcome = builder.outcome;
    this.description = builder.description;
    this.attribute = LaneFilter.class.getName() + "@" + Integer.toHexString(hashCode());
  }

  /** Starts configuring a filter that sends every request through {@code lane}. */
  public static Builder builder(Lane lane) {
    Objects.requireNonNull(lane, "lane");
    return new Builder(request -> lane, "lane '" + lane.name() + "'");
  }

  /**
   * Starts configuring a filter that picks each request's lane with {@code laneForRequest}, for
   * example one lane per downstream or per tenant. A request for which it returns {@code null} is
   * not limited.
   */
  public static Builder builder(Function<HttpServletRequest, Lane> laneForRequest) {
    return new Builder(Objects.requireNonNull(laneForRequest, "laneForRequest"),
        "lanes from " + laneForRequest);
  }

  /** The dispatches the filter must be mapped for: {@code REQUEST} and {@code ASYNC}. */
  public static EnumSet<DispatcherType> dispatcherTypes() {
    return EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
  }

  /**
   * Adds this filter to {@code context} for {@code urlPatterns}, async supported, for
   * {@link #dispatcherTypes()}, ahead of the filters declared in {@code web.xml}. Call it while the
   * context starts, from a {@code ServletContainerInitializer} or a
   * {@code ServletContextListener}.
   *
   * @return the registration, to add servlet-name mappings or init parameters
   * @throws IllegalArgumentException if no pattern is given
   */
  public FilterRegistration.Dynamic register(ServletContext context, String... urlPatterns) {
    Objects.requireNonNull(context, "context");
    if (urlPatterns == null || urlPatterns.length == 0) {
      throw new IllegalArgumentException("register needs at least one URL pattern, e.g. \"/*\"");
    }
    String name = "LaneFilter@" + Integer.toHexString(hashCode());
    FilterRegistration.Dynamic registration = context.addFilter(name, this);
    if (registration == null) {
      throw new IllegalStateException("a filter named '" + name + "' is already registered");
    }
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(dispatcherTypes(), false, urlPatterns);
    return registration;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    Object admission = request.getAttribute(attribute);
    if (admission instanceof Admission) {
      if (request.getDispatcherType() == DispatcherType.ASYNC) {
        ((Admission) admission).redispatched(request, response, chain);
      } else {
        chain.doFilter(request, response); // a forward or include runs under the same permit
      }
      return;
    }
    DispatcherType type = request.getDispatcherType();
    if (admission == PASSED || (type != DispatcherType.REQUEST && type != DispatcherType.ASYNC)) {
      chain.doFilter(request, response); // already judged unlimited, or a forward, include, error
      return;
    }
    // The first time this filter sees the request: on its REQUEST dispatch, or on an ASYNC one
    // when a filter before this one suspended the request first (a QoS or async auth filter).
    Lane lane;
    if (isBypassed(request) || (lane = laneForRequest.apply(request)) == null) {
      request.setAttribute(attribute, PASSED);
      chain.doFilter(request, response);
      return;
    }
    Priority p = priorityOf(request);
    Duration wait = maxWait != null ? maxWait : lane.maxWait();
    if (request.isAsyncSupported()) {
      admitAsync(request, response, chain, lane, p, wait);
    } else {
      admitBlocking(request, response, chain, lane, p, wait);
    }
  }

  private void admitAsync(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain, Lane lane, Priority p, Duration wait)
      throws IOException, ServletException {
    CompletableFuture<Permit> future = lane.acquireAsync(p, wait);
    if (future.isDone()) {
      proceed(request, response, chain, lane, future);
      return;
    }
    Admission waiting = Admission.waiting(this, lane, response, future);
    request.setAttribute(attribute, waiting);
    AsyncContext context;
    try {
      context = request.startAsync();
    } catch (IllegalStateException e) {
      // Only a container or filter bug gets here; wait on this thread instead.
      request.removeAttribute(attribute);
      if (future.cancel(false)) {
        admitBlocking(request, response, chain, lane, p, wait);
      } else {
        proceed(request, response, chain, lane, future);
      }
      return;
    }
    context.setTimeout(containerTimeoutMillis(wait));
    waiting.listenTo(context);
    // May run at once, on this thread: the container holds a dispatch back until this one returns.
    future.whenComplete((permit, failure) -> waiting.decided(context, permit, failure));
  }

  /** Runs the chain with the permit {@code future} holds, or refuses if it holds a refusal. */
  private void proceed(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain, Lane lane, CompletableFuture<Permit> future)
      throws IOException, ServletException {
    Permit permit;
    try {
      permit = future.join();
    } catch (CompletionException e) {
      refuse(response, lane, refusalOf(lane, e.getCause()));
      return;
    }
    run(request, response, chain, lane, permit);
  }

  private void admitBlocking(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain, Lane lane, Priority p, Duration wait)
      throws IOException, ServletException {
    Permit permit;
    try {
      permit = lane.acquire(p, wait);
    } catch (LaneRejectedException refused) {
      refuse(response, lane, refused);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the container is stopping; let it see why
      refuse(response, lane, null);
      return;
    }
    run(request, response, chain, lane, permit);
  }

  private void run(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
      Lane lane, Permit permit) throws IOException, ServletException {
    Admission admission = Admission.admitted(this, lane, response, permit);
    try {
      request.setAttribute(attribute, admission);
    } catch (RuntimeException e) {
      permit.ignore();
      throw e;
    }
    admission.run(request, response, chain);
  }

  // ---- called by Admission ----

  /**
   * Writes the refusal, unless the response is already committed; {@code refusal} is null when
   * the request could not wait for another reason (an interrupt, a lane whose timer failed).
   */
  void refuse(HttpServletResponse response, Lane lane, LaneRejectedException refusal)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    long retryAfter =
        retryAfterSeconds(lane.snapshot(), maxWait != null ? maxWait : lane.maxWait());
    response.resetBuffer();
    response.setStatus(rejectStatus);
    response.setHeader("Retry-After", Long.toString(retryAfter));
    response.setContentType("text/plain;charset=UTF-8");
    String why = refusal == null
        ? "could not wait for capacity"
        : describe(refusal.reason()) + " (" + refusal.reason() + ")";
    String body = "Too busy to serve this request now: " + why + ". Retry after " + retryAfter
        + " s.\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    try {
      ServletOutputStream out = response.getOutputStream();
      out.write(bytes);
    } catch (IllegalStateException writerInUse) {
      response.getWriter().write(body);
    }
  }

  LaneRejectedException refusalFor(Lane lane, Reason reason) {
    return new LaneRejectedException(reason, lane.name(), Priority.NORMAL, lane.limit(),
        lane.inFlight());
  }

  /** The refusal a failed wait stands for; null, and logged, if the lane itself failed. */
  LaneRejectedException refusalOf(Lane lane, Throwable failure) {
    if (failure instanceof LaneRejectedException) {
      return (LaneRejectedException) failure;
    }
    LOG.log(System.Logger.Level.WARNING, "lane '" + lane.name() + "' could not wait for a"
        + " permit; the request is refused", failure);
    return null;
  }

  /** The outcome of a finished request; a mapping that fails costs a sample, never a permit. */
  Outcome outcomeOf(int status, Throwable failure, Lane lane) {
    try {
      Outcome o = outcome.map(status, failure, lane);
      return o != null ? o : Outcome.IGNORED;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the outcome mapping of " + this + " failed", e);
      return Outcome.IGNORED;
    }
  }

  void warnMissedDispatch() {
    if (warnedMissedDispatch.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, this + ": a request that waited for a permit was"
          + " dispatched back without passing this filter. Map the filter for the ASYNC"
          + " dispatch too (LaneFilter.dispatcherTypes()), or the application's results are not"
          + " measured.");
    }
  }

  // ---- private ----

  private boolean isBypassed(HttpServletRequest request) {
    try {
      return bypass.test(request);
    } catch (RuntimeException e) {
      warnClassifier("bypass test", e);
      return false;
    }
  }

  private Priority priorityOf(HttpServletRequest request) {
    try {
      Priority p = priority.apply(request);
      return p != null ? p : Priority.NORMAL;
    } catch (RuntimeException e) {
      warnClassifier("priority classifier", e);
      return Priority.NORMAL;
    }
  }

  private void warnClassifier(String what, RuntimeException e) {
    if (warnedClassifier.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "the " + what + " of " + this + " failed; such"
          + " requests are limited as NORMAL (logged once)", e);
    }
  }

  /**
   * How long until a retry could find room: the time the lane takes to serve the calls waiting
   * now and one more, at the completion rate of its last window; without a window yet, the wait a
   * request would face. At least 1 second, at most 60.
   */
  static long retryAfterSeconds(LaneSnapshot snapshot, Duration wait) {
    double rate = snapshot.lastWindow().map(WindowSummary::completionsPerSecond).orElse(0.0);
    // Seconds from the nanos, capped: a wait "for ever" must not overflow a conversion.
    double seconds = rate > 0 ? (snapshot.waiting() + 1) / rate
        : Math.min(wait.getSeconds(), MAX_RETRY_AFTER_SECONDS) + wait.getNano() / 1e9;
    return Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, (long) Math.ceil(seconds)));
  }

  private static long containerTimeoutMillis(Duration wait) {
    if (wait.compareTo(LONGEST_TIMED_WAIT) > 0) {
      return 0; // no container timeout
    }
    return wait.toMillis() + CONTAINER_TIMEOUT_GRACE_MILLIS;
  }

  private static String describe(Reason reason) {
    switch (reason) {
      case LIMIT_REACHED:
        return "no capacity free";
      case QUEUE_FULL:
        return "the queue is full";
      case TIMEOUT:
        return "waited too long";
      case EVICTED:
        return "made room for more urgent requests";
      case CEILING:
        return "at the ceiling for critical requests";
      default:
        return "shutting down";
    }
  }

  @Override
  public String toString() {
    return "LaneFilter[" + description + ", maxWait "
        + (maxWait != null ? maxWait : "the lane's") + ", reject with " + rejectStatus + "]";
  }

  /**
   * Configures a {@link LaneFilter}. Every setting is optional.
   *
   * <pre>{@code
   * LaneFilter filter = LaneFilter.builder(lane)
   *     .priority(RequestPriorities.fromAttribute("lanes.priority"))
   *     .bypass(RequestPaths.matching("/health", "/ready"))
   *     .maxWait(Duration.ofMillis(250))
   *     .rejectStatus(429)
   *     .build();
   * }</pre>
   */
  public static final class Builder {

    private final Function<HttpServletRequest, Lane> laneForRequest;
    private final String description;
    private Function<HttpServletRequest, Priority> priority = request -> Priority.NORMAL;
    private Predicate<HttpServletRequest> bypass = request -> false;
    private Duration maxWait;
    private int rejectStatus = HttpServletResponse.SC_SERVICE_UNAVAILABLE;
    private OutcomeMapping outcome = OutcomeMapping.standard();

    private Builder(Function<HttpServletRequest, Lane> laneForRequest, String description) {
      this.laneForRequest = laneForRequest;
      this.description = description;
    }

    /**
     * How to give each request its priority; {@code NORMAL} by default. Use
     * {@link RequestPriorities} for sources a client cannot forge. A classifier that returns
     * {@code null} or throws makes the request {@code NORMAL}.
     */
    public Builder priority(Function<HttpServletRequest, Priority> classifier) {
      this.priority = Objects.requireNonNull(classifier, "priority");
      return this;
    }

    /**
     * Requests that pass {@code bypass} go straight to the application, holding no permit and
     * never refused, e.g. health checks ({@link RequestPaths#matching}).
     */
    public Builder bypass(Predicate<HttpServletRequest> bypass) {
      this.bypass = Objects.requireNonNull(bypass, "bypass");
      return this;
    }

    /** How long a request may wait for a permit; the lane's {@link Lane#maxWait()} by default. */
    public Builder maxWait(Duration maxWait) {
      Objects.requireNonNull(maxWait, "maxWait");
      if (maxWait.isNegative()) {
        throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
      }
      this.maxWait = maxWait;
      return this;
    }

    /** The status of a refused request: 503 by default; 429 is the other usual choice. */
    public Builder rejectStatus(int status) {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException(
            "rejectStatus must be a 4xx or 5xx status, was " + status);
      }
      this.rejectStatus = status;
      return this;
    }

    /**
     * How a finished request releases its permit; {@link OutcomeMapping#standard()} by default.
     */
    public Builder outcome(OutcomeMapping outcome) {
      this.outcome = Objects.requireNonNull(outcome, "outcome");
      return this;
    }

    /** Builds the filter. */
    public LaneFilter build() {
      return new LaneFilter(this);
    }
  }

}
