package dev.lanes.servlet.review6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import dev.lanes.servlet.LaneFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Review 6: reproductions of {@link LaneFilter} defects, each run in Jetty 12.1 and Tomcat 11
 * (see the subclasses). Orderings are forced with the application's semaphore and the lane's
 * own counters, never with sleeps.
 */
abstract class FilterAttacks {

  static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  final App app = new App();
  Box box;
  Lane lane;

  abstract Box start(Box.Install install) throws Exception;

  @AfterEach
  void stop() throws Exception {
    app.releaseAll();
    if (box != null) {
      box.close();
    }
  }

  /**
   * An outer filter that suspends a request and resumes it (Jetty's QoSFilter, an async
   * authentication or rate-limit filter) hands it on as an ASYNC dispatch. It is the first time
   * the LaneFilter sees the request, yet the filter lets it through with no permit: the lane of
   * limit 1 reads in-flight 0 while the application runs, and a second request is not refused.
   */
  @Test
  void aRequestFirstSeenOnAnAsyncDispatchRunsWithoutAPermit() throws Exception {
    lane = fixedLane(1);
    Filter suspendsThenResumes = (request, response, chain) -> {
      if (request.getDispatcherType() == DispatcherType.REQUEST) {
        AsyncContext async = request.startAsync();
        async.dispatch(); // resumes at once; a QoS filter would do it when its turn comes
        return;
      }
      chain.doFilter(request, response);
    };
    LaneFilter filter = LaneFilter.builder(lane).maxWait(Duration.ZERO).build();
    serveBehind("outer", suspendsThenResumes, filter);

    CompletableFuture<HttpResponse<String>> first = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    int inFlightWhileTheApplicationRuns = lane.inFlight();
    HttpResponse<String> second = get("/fast/2");
    app.finish(1);
    assertThat(first.get().statusCode()).isEqualTo(200);

    assertThat(inFlightWhileTheApplicationRuns)
        .as("permits out while /hold/1 runs in the application").isEqualTo(1);
    assertThat(second.statusCode()).as("a second request on a full lane of limit 1")
        .isEqualTo(503);
  }

  /**
   * The application's own async cycle times out, and its listener handles the timeout by
   * dispatching back to render an answer (Spring MVC's DeferredResult and Callable do). The
   * filter releases the permit at the timeout event, although the response is not done: the
   * dispatched pass runs with no permit, and a second request gets past a full lane.
   */
  @Test
  void anApplicationThatDispatchesOnItsOwnTimeoutRunsOnWithoutItsPermit() throws Exception {
    lane = fixedLane(1);
    serve(LaneFilter.builder(lane).maxWait(Duration.ZERO).build());

    CompletableFuture<HttpResponse<String>> first = getAsync("/timeout-dispatch");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1); // the dispatched pass runs
    int inFlightWhileTheApplicationRuns = lane.inFlight();
    HttpResponse<String> second = get("/fast/2");
    app.finish(1);
    assertThat(first.get().body()).isEqualTo("served after its timeout\n");
    assertDrained();

    assertThat(inFlightWhileTheApplicationRuns)
        .as("permits out while the application still writes the response").isEqualTo(1);
    assertThat(second.statusCode()).as("a second request on a full lane of limit 1")
        .isEqualTo(503);
  }

  /**
   * Mapped for REQUEST only (the default of {@code @WebFilter}, of a {@code <filter-mapping>}
   * without {@code <dispatcher>}, and of Spring Boot's {@code FilterRegistrationBean}), a request
   * that waited and was then refused is dispatched back straight to the application, which
   * serves it: a refused request reaches the application, with no permit and no warning.
   */
  @Test
  void aRequestRefusedAfterWaitingReachesTheApplicationWhenTheFilterMissesAsync()
      throws Exception {
    lane = fixedLane(1);
    LaneFilter filter = LaneFilter.builder(lane).maxWait(Duration.ofMillis(200)).build();
    box = start(context -> {
      FilterRegistration.Dynamic lanes = context.addFilter("lanes", filter);
      lanes.setAsyncSupported(true);
      lanes.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      app.install(context);
    });
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    CompletableFuture<HttpResponse<String>> refused = getAsync("/hold/2");
    await().atMost(PATIENCE).until(() -> lane.snapshot().timedOut(Priority.NORMAL) == 1);
    await().atMost(PATIENCE).until(() -> refused.isDone() || app.entries.contains("/2"));
    boolean reachedTheApplication = app.entries.contains("/2");
    app.finish(2);

    assertThat(reachedTheApplication).as("the refused /hold/2 ran in the application").isFalse();
    assertThat(refused.get().statusCode()).isEqualTo(503);
    assertThat(holder.get().statusCode()).isEqualTo(200);
  }

  /**
   * {@code maxWait(ChronoUnit.FOREVER.getDuration())} is accepted by the builder, and the lane
   * takes it as "wait for ever", but a refusal (here: the lane is closed) then fails with an
   * ArithmeticException from the Retry-After estimate: a 500 from the filter, not a 503.
   */
  @Test
  void aFilterThatWaitsForEverAnswers500InsteadOfRefusing() throws Exception {
    lane = fixedLane(1);
    serve(LaneFilter.builder(lane).maxWait(ChronoUnit.FOREVER.getDuration()).build());
    lane.close();

    HttpResponse<String> response = get("/fast/x");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
  }

  /**
   * After a wait, the filter judges the outcome from the response object of the request's
   * first pass, not from the one the application answered on. With an outer filter that wraps
   * the response on every pass to record its status (an access log), a 503 the application
   * sent after waiting counts as a success with a latency sample, not as a drop.
   */
  @Test
  void aResponseAfterAWaitIsJudgedOnTheFirstPassesResponse() throws Exception {
    lane = fixedLane(1);
    Filter accessLog = (request, response, chain) ->
        chain.doFilter(request, new StatusRecordingResponse((HttpServletResponse) response));
    LaneFilter filter = LaneFilter.builder(lane).build();
    serveBehind("access-log", accessLog, filter);
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> overloaded = getAsync("/fail/503");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    app.finish(1);

    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertThat(overloaded.get().statusCode()).isEqualTo(503);
    assertDrained();
    LaneSnapshot s = lane.snapshot();
    assertThat(s.dropped(Priority.NORMAL)).as("the application's 503, a drop; %s", s)
        .isEqualTo(1);
    assertThat(s.completed(Priority.NORMAL)).as("only /hold/1 succeeded; %s", s).isEqualTo(1);
  }

  /** The control: the same wait and 503 without the outer wrapper is counted as a drop. */
  @Test
  void controlWithoutTheWrapperTheSame503AfterAWaitIsADrop() throws Exception {
    lane = fixedLane(1);
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> overloaded = getAsync("/fail/503");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    app.finish(1);

    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertThat(overloaded.get().statusCode()).isEqualTo(503);
    assertDrained();
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
  }

  /** Keeps the status it was given, as access-log wrappers written before getStatus() do. */
  static final class StatusRecordingResponse extends HttpServletResponseWrapper {
    private int status = 200;

    StatusRecordingResponse(HttpServletResponse response) {
      super(response);
    }

    @Override
    public void setStatus(int sc) {
      status = sc;
      super.setStatus(sc);
    }

    @Override
    public void sendError(int sc) throws IOException {
      status = sc;
      super.sendError(sc);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
      status = sc;
      super.sendError(sc, msg);
    }

    @Override
    public int getStatus() {
      return status;
    }
  }

  // ---- helpers ----

  static Lane fixedLane(int limit) {
    return Lane.builder("review6")
        .algorithm((window, current) -> current)
        .limits(limit, limit, limit)
        .maxWait(Duration.ofSeconds(30))
        .build();
  }

  void serve(LaneFilter filter) throws Exception {
    box = start(context -> {
      filter.register(context, "/*");
      app.install(context);
    });
  }

  /** Serves the app behind {@code filter}, with {@code outer} before it for every dispatch. */
  void serveBehind(String name, Filter outer, LaneFilter filter) throws Exception {
    box = start(context -> {
      FilterRegistration.Dynamic registration = context.addFilter(name, outer);
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(LaneFilter.dispatcherTypes(), false, "/*");
      filter.register(context, "/*");
      app.install(context);
    });
  }

  HttpRequest request(String path) {
    return HttpRequest.newBuilder(box.uri(path)).timeout(Duration.ofSeconds(30)).build();
  }

  HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return HTTP.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
  }

  void assertDrained() {
    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(lane.inFlight()).as("in flight").isZero();
      assertThat(lane.snapshot().waiting()).as("waiting").isZero();
    });
  }
}
