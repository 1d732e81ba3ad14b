package dev.lanes.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.LaneRejectedException.Reason;
import dev.lanes.LaneSnapshot;
import dev.lanes.Priority;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link LaneFilter} promises, checked in a real container over real HTTP: the same tests
 * run in embedded Jetty and embedded Tomcat (see the subclasses). Requests are held in the
 * application by a semaphore the test controls, so every ordering is forced, not timed.
 */
abstract class LaneFilterContract {

  static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  final TestApp app = new TestApp();
  TestContainer container;
  Lane lane;

  /** Starts the container under test. */
  abstract TestContainer start(String host, int maxThreads, TestContainer.App app)
      throws Exception;

  @AfterEach
  void stopContainer() throws Exception {
    app.releaseAll();
    if (container != null) {
      container.close();
    }
  }

  // ---- admission, waiting and refusal ----

  @Test
  void aThirdRequestWaitsForOneOfTwoPermitsAndRunsAfter() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    CompletableFuture<HttpResponse<String>> first = getAsync("/hold/1");
    CompletableFuture<HttpResponse<String>> second = getAsync("/hold/2");
    await().atMost(PATIENCE).until(() -> app.running.get() == 2);
    CompletableFuture<HttpResponse<String>> third = getAsync("/hold/3");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);
    assertThat(app.entered).hasValue(2);

    app.finish(1);
    await().atMost(PATIENCE).until(() -> app.entered.get() == 3);
    assertThat(app.entries).endsWith("/3");
    app.finish(2);

    for (CompletableFuture<HttpResponse<String>> response : List.of(first, second, third)) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertThat(app.maxRunning).hasValue(2);
    assertDrained();
    assertThat(released(Priority.NORMAL)).isEqualTo(3);
  }

  @Test
  void withNoWaitTheThirdIsRefusedWith503AndRetryAfter() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).maxWait(Duration.ZERO).build());
    CompletableFuture<HttpResponse<String>> first = getAsync("/hold/1");
    CompletableFuture<HttpResponse<String>> second = getAsync("/hold/2");
    await().atMost(PATIENCE).until(() -> app.running.get() == 2);

    HttpResponse<String> refused = get("/hold/3");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(retryAfter(refused)).isGreaterThanOrEqualTo(1);
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(refused.body()).contains("LIMIT_REACHED").hasLineCount(1);
    assertThat(app.entries).doesNotContain("/3");
    assertThat(lane.snapshot().rejected(Priority.NORMAL, Reason.LIMIT_REACHED)).isEqualTo(1);
    app.finish(2);
    assertThat(first.get().statusCode()).isEqualTo(200);
    assertThat(second.get().statusCode()).isEqualTo(200);
    assertDrained();
  }

  @Test
  void aRequestThatWaitsTooLongIsRefusedWithTheConfiguredStatus() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).maxWait(Duration.ofMillis(200)).rejectStatus(429).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    HttpResponse<String> refused = get("/hold/2");

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(retryAfter(refused)).isGreaterThanOrEqualTo(1);
    assertThat(refused.body()).contains("TIMEOUT");
    assertThat(app.entries).containsExactly("/1");
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
    assertThat(lane.snapshot().timedOut(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void closingTheLaneRefusesTheRequestsThatWaitAndThoseThatCome() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> waiting = getAsync("/hold/2");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    lane.close();

    assertThat(waiting.get().statusCode()).isEqualTo(503);
    assertThat(waiting.get().body()).contains("CLOSED");
    assertThat(get("/fast/x").body()).contains("CLOSED");
    app.finish(1);
    assertThat(holder.get().statusCode()).as("a permit out before close").isEqualTo(200);
    assertDrained();
    assertThat(app.entries).containsExactly("/1");
  }

  @Test
  void aLaneThatCannotArmItsTimerRefusesWithoutLosingAPermit() throws Exception {
    lane = Lane.builder("no-timer")
        .algorithm((window, current) -> current)
        .limits(1, 1, 1)
        .scheduler((task, delayNanos) -> {
          throw new IllegalStateException("no timer today");
        })
        .build();
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    HttpResponse<String> refused = get("/hold/2");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("could not wait");
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
    assertThat(app.entries).containsExactly("/1");
  }

  @Test
  void aRequestWithoutAsyncSupportWaitsOnItsOwnThread() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> first = getAsync("/blocking/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> second = getAsync("/blocking/2");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    app.finish(2);

    assertThat(first.get().body()).contains("without async /1");
    assertThat(second.get().body()).contains("without async /2");
    assertThat(app.maxRunning).hasValue(1);
    assertDrained();
  }

  @Test
  void waitingHoldsNoContainerThread() throws Exception {
    int threads = 8;
    int requests = 200;
    lane = fixedLane(2, Duration.ofSeconds(120));
    serve(threads, LaneFilter.builder(lane).build(), null);

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      responses.add(getAsync("/sleep"));
    }
    // Two requests hold the permits, at the gate; every other one waits in the lane. If a
    // waiting request held a thread, no more than 8 could ever be waiting.
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == requests - 2);
    assertThat(container.poolThreads()).isLessThanOrEqualTo(threads);
    app.openGate();

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertThat(app.maxRunning).hasValue(2);
    if (container.largestPoolThreads() >= 0) {
      assertThat(container.largestPoolThreads()).isLessThanOrEqualTo(threads);
    }
    assertDrained();
    assertThat(lane.snapshot().rejected(Priority.NORMAL)).isZero();
  }

  // ---- priorities ----

  @Test
  void aNormalRequestTakesTheNextPermitAheadOfABackgroundFlood() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane)
        .priority(RequestPriorities.rules().path("/hold/bg/*", Priority.BACKGROUND))
        .build());
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    responses.add(getAsync("/hold/bg/1"));
    responses.add(getAsync("/hold/bg/2"));
    await().atMost(PATIENCE).until(() -> app.running.get() == 2);
    for (int i = 3; i <= 12; i++) {
      responses.add(getAsync("/hold/bg/" + i));
    }
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.BACKGROUND) == 10);
    responses.add(getAsync("/hold/normal"));
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting(Priority.NORMAL) == 1);

    app.finish(1); // one service time ends: its permit must go to the NORMAL request

    await().atMost(PATIENCE).until(() -> app.entered.get() == 3);
    assertThat(app.entries.get(2)).isEqualTo("/normal");
    app.finish(100);
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    assertDrained();
  }

  @Test
  void aCriticalRequestBypassesAFullLane() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane)
        .priority(TestApp.recording(
            RequestPriorities.rules().path("/fast/critical", Priority.CRITICAL)))
        .build());
    CompletableFuture<HttpResponse<String>> first = getAsync("/hold/1");
    CompletableFuture<HttpResponse<String>> second = getAsync("/hold/2");
    await().atMost(PATIENCE).until(() -> app.running.get() == 2);
    CompletableFuture<HttpResponse<String>> waiting = getAsync("/hold/3");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    HttpResponse<String> critical = get("/fast/critical");

    assertThat(critical.statusCode()).isEqualTo(200);
    assertThat(critical.body()).isEqualTo("CRITICAL\n");
    assertThat(lane.snapshot().bypassed(Priority.CRITICAL)).isEqualTo(1);
    assertThat(lane.snapshot().waiting()).isEqualTo(1);
    app.finish(3);
    for (CompletableFuture<HttpResponse<String>> r : List.of(first, second, waiting)) {
      assertThat(r.get().statusCode()).isEqualTo(200);
    }
    assertDrained();
  }

  @Test
  void aPriorityHeaderFromAnUntrustedPeerChangesNothing() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    // The container listens on 127.0.0.1; only 10.0.0.0/8 and fd00::/8 are trusted.
    serve(LaneFilter.builder(lane)
        .priority(TestApp.recording(
            RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "fd00::/8")))
        .maxWait(Duration.ZERO)
        .build());

    for (String spoof : List.of("critical", "CRITICAL", "background", " Critical ")) {
      assertThat(get("/fast/x", "X-Priority", spoof).body()).as(spoof).isEqualTo("NORMAL\n");
    }
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    HttpResponse<String> spoofed = get("/fast/x", "X-Priority", "critical");
    assertThat(spoofed.statusCode()).as("a spoofed CRITICAL must not bypass the limit")
        .isEqualTo(503);
    assertThat(lane.snapshot().bypassed(Priority.CRITICAL)).isZero();
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
  }

  @Test
  void aTrustedProxyCanSetThePriorityButNotWithGarbage() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane)
        .priority(TestApp.recording(
            RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "127.0.0.0/8")))
        .maxWait(Duration.ZERO)
        .build());

    Map<String, String> expected = Map.of(
        "critical", "CRITICAL", " Background ", "BACKGROUND", "normal", "NORMAL",
        "garbage", "NORMAL", "critical; q=1", "NORMAL", "CRITICAL".repeat(200), "NORMAL",
        "", "NORMAL");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertThat(get("/fast/x", "X-Priority", e.getKey()).body()).as("X-Priority: %s", e.getKey())
          .isEqualTo(e.getValue() + "\n");
    }
    assertThat(get("/fast/x").body()).as("no header").isEqualTo("NORMAL\n");
    assertThat(get("/fast/x", "X-Priority", "critical", "X-Priority", "critical").body())
        .as("the header twice").isEqualTo("NORMAL\n");

    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    assertThat(get("/fast/x", "X-Priority", "critical").statusCode())
        .as("CRITICAL from a trusted proxy bypasses the full lane").isEqualTo(200);
    assertThat(get("/fast/x", "X-Priority", "garbage").statusCode()).isEqualTo(503);
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
  }

  @Test
  void trustedProxiesWorkOverIpv6() throws Exception {
    lane = fixedLane(4, Duration.ofSeconds(30));
    Map<String, Function<HttpServletRequest, Priority>> classifiers = Map.of(
        "v6", RequestPriorities.fromHeader("X-Priority", "::1"),
        "all-v6", RequestPriorities.fromHeader("X-Priority", "::/0"),
        "v4-only", RequestPriorities.fromHeader("X-Priority", "127.0.0.0/8", "0.0.0.0/0"));
    LaneFilter filter = LaneFilter.builder(lane)
        .priority(TestApp.recording(
            request -> classifiers.get(request.getParameter("trust")).apply(request)))
        .build();
    container = start("::1", 16, context -> app.install(context, filter, null));

    assertThat(get("/fast/x?trust=v6", "X-Priority", "background").body())
        .isEqualTo("BACKGROUND\n");
    assertThat(get("/fast/x?trust=all-v6", "X-Priority", "critical").body())
        .isEqualTo("CRITICAL\n");
    assertThat(get("/fast/x?trust=v4-only", "X-Priority", "critical").body())
        .as("an IPv6 peer is in no IPv4 block").isEqualTo("NORMAL\n");
    assertDrained();
  }

  @Test
  void bypassedRequestsHoldNoPermit() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane)
        .bypass(RequestPaths.matching("/fast/health"))
        .maxWait(Duration.ZERO)
        .build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    assertThat(get("/fast/health").statusCode()).isEqualTo(200);
    assertThat(get("/fast/other").statusCode()).isEqualTo(503);
    assertThat(lane.inFlight()).isEqualTo(1);
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
  }

  @Test
  void eachRequestCanHaveItsOwnLane() throws Exception {
    Lane holds = fixedLane(1, Duration.ofSeconds(30));
    Lane others = fixedLane(1, Duration.ofSeconds(30));
    lane = holds;
    serve(LaneFilter.builder(request -> {
      String path = RequestPaths.pathOf(request);
      return path.startsWith("/hold") ? holds : path.startsWith("/fast/free") ? null : others;
    }).maxWait(Duration.ZERO).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    assertThat(get("/hold/2").statusCode()).isEqualTo(503);
    assertThat(get("/fast/x").statusCode()).as("another lane has room").isEqualTo(200);
    assertThat(get("/fast/free").statusCode()).as("no lane").isEqualTo(200);
    assertThat(others.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
    assertThat(others.inFlight()).isZero();
  }

  // ---- applications that go async ----

  @Test
  void anAsyncServletHoldsItsPermitUntilItCompletesOnAnotherThread() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    CompletableFuture<HttpResponse<String>> response = getAsync("/async/complete");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    assertThat(lane.inFlight()).isEqualTo(1);
    app.finish(1);

    assertThat(response.get().body()).isEqualTo("completed on a worker\n");
    assertDrained();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anAsyncServletThatTimesOutReleasesItsPermitAsADrop() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    HttpResponse<String> response = get("/async/timeout");

    assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
    assertDrained();
    assertThat(lane.snapshot().dropped(Priority.NORMAL)).isEqualTo(1);
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anAsyncServletThatThrowsReleasesItsPermitWithoutASample() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    HttpResponse<String> response = get("/async/throw");

    assertThat(response.statusCode()).isEqualTo(500);
    assertDrained();
    assertThat(lane.snapshot().ignored(Priority.NORMAL)).isEqualTo(1);
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anAsyncServletThatDispatchesBackKeepsOnePermitThroughout() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    CompletableFuture<HttpResponse<String>> response = getAsync("/async/dispatch");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    assertThat(lane.inFlight()).isEqualTo(1);
    app.finish(1);

    assertThat(response.get().body()).isEqualTo("dispatched back on ASYNC\n");
    assertDrained();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void aDispatchBeforeTheFirstPassReturnsStillRunsUnderThePermit() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    CompletableFuture<HttpResponse<String>> response = getAsync("/async/dispatch-now");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    assertThat(lane.inFlight()).as("the dispatched pass holds the permit").isEqualTo(1);
    app.finish(1);

    assertThat(response.get().statusCode()).isEqualTo(200);
    assertDrained();
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void aCompleteBeforeTheFirstPassReturnsReleasesOnce() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    assertThat(get("/async/complete-now").body()).isEqualTo("completed before the pass returned\n");

    assertDrained();
    assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anApplicationThatGoesAsyncAroundTheFiltersWrapperStillReleases() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    CompletableFuture<HttpResponse<String>> response = getAsync("/async/unwrapped");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    assertThat(lane.inFlight()).isEqualTo(1);
    app.finish(1);

    assertThat(response.get().body()).isEqualTo("unwrapped\n");
    assertDrained();
    assertThat(released(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void anAsyncServletReachedAfterAWaitKeepsThePermitItWaitedFor() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> async = getAsync("/async/complete");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> app.running.get() == 1 && app.entered.get() == 2);
    assertThat(lane.inFlight()).as("the async servlet holds the permit it waited for")
        .isEqualTo(1);
    CompletableFuture<HttpResponse<String>> third = getAsync("/fast/x");
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);
    app.finish(1);

    assertThat(async.get().body()).isEqualTo("completed on a worker\n");
    assertThat(third.get().statusCode()).isEqualTo(200);
    assertDrained();
    assertThat(released(Priority.NORMAL)).isEqualTo(3);
  }

  // ---- outcomes ----

  @Test
  void theOutcomeFollowsTheResponse() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());

    assertThat(get("/fast/x").statusCode()).isEqualTo(200);
    assertThat(get("/fail/503").statusCode()).isEqualTo(503);
    assertThat(get("/fail/500").statusCode()).isEqualTo(500);
    assertThat(get("/fail/throw").statusCode()).isEqualTo(500);

    assertDrained();
    LaneSnapshot s = lane.snapshot();
    assertThat(s.completed(Priority.NORMAL)).as("200").isEqualTo(1);
    assertThat(s.dropped(Priority.NORMAL)).as("503").isEqualTo(1);
    assertThat(s.ignored(Priority.NORMAL)).as("500, and the exception").isEqualTo(2);
  }

  @Test
  void theOutcomeMappingCanBeReplacedAndMayFailSafely() throws Exception {
    lane = fixedLane(2, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane)
        .outcome((status, failure, l) -> {
          if (status == 500 && failure == null) {
            return Outcome.DROPPED;
          }
          if (failure != null) {
            throw new IllegalStateException("a broken mapping");
          }
          return OutcomeMapping.standard().map(status, failure, l);
        })
        .build());

    assertThat(get("/fail/500").statusCode()).isEqualTo(500);
    assertThat(get("/fail/throw").statusCode()).isEqualTo(500);
    assertThat(get("/fast/x").statusCode()).isEqualTo(200);

    assertDrained();
    LaneSnapshot s = lane.snapshot();
    assertThat(s.dropped(Priority.NORMAL)).isEqualTo(1);
    assertThat(s.ignored(Priority.NORMAL)).as("the mapping threw").isEqualTo(1);
    assertThat(s.completed(Priority.NORMAL)).isEqualTo(1);
  }

  @Test
  void aRefusalWritesNothingOnACommittedResponse() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    Filter commitsEarly = (request, response, chain) -> {
      if (((HttpServletRequest) request).getRequestURI().startsWith("/fast")) {
        response.getOutputStream().write("early\n".getBytes(StandardCharsets.UTF_8));
        response.flushBuffer();
      }
      chain.doFilter(request, response);
    };
    serve(16, LaneFilter.builder(lane).maxWait(Duration.ZERO).build(), commitsEarly);
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/1");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);

    HttpResponse<String> response = get("/fast/x");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("early\n");
    assertThat(lane.snapshot().rejected(Priority.NORMAL)).isEqualTo(1);
    app.finish(1);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertDrained();
  }

  // ---- clients that leave ----

  /**
   * Over HTTP/1.1, neither Jetty 12.1 nor Tomcat 11 notices that the client of a suspended
   * request closed its connection (FIN or RST): the request stays queued, takes its turn, runs
   * for nobody, and releases its permit. What must hold either way: nothing leaks, and the next
   * waiter is served.
   */
  @Test
  void aClientThatClosesItsConnectionWhileWaitingLeaksNothing() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());
    CompletableFuture<HttpResponse<String>> holder = getAsync("/hold/A");
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    URI base = container.uri("/");
    try (Socket leaving = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = leaving.getOutputStream();
      out.write("GET /hold/B HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);
      leaving.setSoLinger(true, 0); // an abrupt reset, the most a container could notice
    }
    CompletableFuture<HttpResponse<String>> next = getAsync("/hold/C");
    await().atMost(PATIENCE).until(() -> app.entered.get() == 1
        && lane.snapshot().waiting() == 2);

    app.finish(3);

    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertThat(next.get().statusCode()).isEqualTo(200);
    assertThat(app.entries).as("the request of the client that left still ran")
        .containsExactly("/A", "/B", "/C");
    assertDrained();
  }

  /**
   * Over HTTP/2 the client resets the stream, both containers report it to the request's
   * {@code AsyncListener} as an error, and the filter withdraws the wait at once.
   */
  @Test
  void aClientThatResetsItsHttp2StreamWhileWaitingIsWithdrawn() throws Exception {
    lane = fixedLane(1, Duration.ofSeconds(30));
    serve(LaneFilter.builder(lane).build());
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> warmUp = h2.send(request("/fast/x"), HttpResponse.BodyHandlers.ofString());
    assertThat(warmUp.version()).isEqualTo(HttpClient.Version.HTTP_2);
    CompletableFuture<HttpResponse<String>> holder =
        h2.sendAsync(request("/hold/A"), HttpResponse.BodyHandlers.ofString());
    await().atMost(PATIENCE).until(() -> app.running.get() == 1);
    CompletableFuture<HttpResponse<String>> leaving =
        h2.sendAsync(request("/hold/B"), HttpResponse.BodyHandlers.ofString());
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);

    leaving.cancel(true);

    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 0);
    CompletableFuture<HttpResponse<String>> next =
        h2.sendAsync(request("/hold/C"), HttpResponse.BodyHandlers.ofString());
    await().atMost(PATIENCE).until(() -> lane.snapshot().waiting() == 1);
    app.finish(2);
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertThat(next.get().statusCode()).isEqualTo(200);
    assertThat(app.entries).containsExactly("/A", "/C");
    assertDrained();
  }

  // ---- soak ----

  /**
   * 20,000 requests from 64 clients at once: mixed priorities, a tenth of the application's calls
   * failing (half throw, half answer 503 themselves), a tenth going async, and about one client in
   * a hundred leaving before its answer. At the end every permit is back, nothing waits, the
   * application never ran more limited requests than the limit, and every answer was 200 or 503.
   */
  @Test
  void soak() throws Exception {
    int clients = 64;
    int requests = 20_000;
    long seed = Long.getLong("lanes.soak.seed", System.nanoTime());
    lane = Lane.builder("soak")
        .algorithm((window, current) -> current)
        .limits(4, 4, 4)
        .backgroundReserve(1)
        .maxQueued(24)
        .maxWait(Duration.ofMillis(100))
        .build();
    Filter errorsTo503 = (request, response, chain) -> {
      try {
        chain.doFilter(request, response);
      } catch (IllegalStateException applicationFailure) {
        sendError((HttpServletResponse) response, 503); // the application's own error handling
      }
    };
    serve(32, LaneFilter.builder(lane)
        .priority(TestApp.recording(RequestPriorities.rules()
            .path("/soak/critical", Priority.CRITICAL)
            .path("/soak/background", Priority.BACKGROUND)))
        .build(), errorsTo503);

    Soak soak = new Soak(seed, requests);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      threads.add(new Thread(soak::client, "soak-client-" + i));
    }
    long began = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(Duration.ofMinutes(2).toMillis());
      assertThat(t.isAlive()).as("a soak client is stuck (seed %d)", seed).isFalse();
    }
    long millis = (System.nanoTime() - began) / 1_000_000;
    System.out.printf("soak on %s, seed %d: %,d requests in %,d ms; %s; %s%n", container, seed,
        requests, millis, soak, lane.snapshot());

    assertThat(soak.failures).as("client failures (seed %d)", seed).isEmpty();
    assertThat(soak.statuses.keySet()).as("statuses (seed %d)", seed)
        .isSubsetOf(200, 503).contains(200, 503);
    assertThat(app.maxRunningLimited.get()).as("limited requests at once (seed %d)", seed)
        .isLessThanOrEqualTo(4);
    assertDrained();
    LaneSnapshot s = lane.snapshot();
    for (Priority p : List.of(Priority.CRITICAL, Priority.BACKGROUND)) {
      assertThat(released(p)).as("%s released once each (seed %d)", p, seed)
          .isEqualTo(s.admitted(p));
    }
    long refusedByLane = 0;
    for (Priority p : Priority.values()) {
      refusedByLane += s.rejected(p);
    }
    assertThat(soak.refusedByFilter.get()).isPositive().isLessThanOrEqualTo(refusedByLane);
  }

  /** The soak's clients: each takes requests from a shared count until none are left. */
  private final class Soak {
    final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.atomic.LongAdder>
        statuses = new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicLong refusedByFilter =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong();
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger remaining;
    private final long seed;
    private final java.util.concurrent.atomic.AtomicInteger clientIds =
        new java.util.concurrent.atomic.AtomicInteger();

    Soak(long seed, int requests) {
      this.seed = seed;
      this.remaining = new java.util.concurrent.atomic.AtomicInteger(requests);
    }

    void client() {
      java.util.SplittableRandom random = new java.util.SplittableRandom(
          seed + clientIds.incrementAndGet());
      while (remaining.getAndDecrement() > 0) {
        int kind = random.nextInt(100);
        String path = kind < 5 ? "/soak/critical" : kind < 35 ? "/soak/background" : "/soak/normal";
        int mode = random.nextInt(100);
        String query = mode < 5 ? "?fail=throw" : mode < 10 ? "?fail=503" : mode < 20 ? "?async" : "";
        try {
          CompletableFuture<HttpResponse<String>> response = getAsync(path + query);
          if (random.nextInt(100) == 0) {
            Thread.sleep(random.nextInt(3));
            response.cancel(true); // the client leaves
            left.incrementAndGet();
            continue;
          }
          HttpResponse<String> r = response.get(60, java.util.concurrent.TimeUnit.SECONDS);
          statuses.computeIfAbsent(r.statusCode(), k -> new java.util.concurrent.atomic.LongAdder())
              .increment();
          if (r.statusCode() == 503 && r.body().startsWith("Too busy")) {
            refusedByFilter.incrementAndGet();
          }
        } catch (Exception e) {
          failures.add(path + query + ": " + e);
        }
      }
    }

    @Override
    public String toString() {
      return "statuses " + statuses + ", " + refusedByFilter + " refused by the filter, "
          + left + " clients left early";
    }
  }

  // ---- helpers ----

  /** A lane whose limit never moves, so the tests can count permits. */
  static Lane fixedLane(int limit, Duration maxWait) {
    return Lane.builder("servlet-test")
        .algorithm((window, current) -> current)
        .limits(limit, limit, limit)
        .maxWait(maxWait)
        .build();
  }

  void serve(LaneFilter filter) throws Exception {
    serve(16, filter, null);
  }

  void serve(int threads, LaneFilter filter, Filter outer) throws Exception {
    container = start("127.0.0.1", threads, context -> app.install(context, filter, outer));
  }

  HttpRequest request(String path, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(container.uri(path))
        .timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder.build();
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    return HTTP.send(request(path, headers), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> getAsync(String path, String... headers) {
    return HTTP.sendAsync(request(path, headers), HttpResponse.BodyHandlers.ofString());
  }

  static long retryAfter(HttpResponse<?> response) {
    return Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
  }

  /** Nothing in flight, nothing waiting: every permit came back. */
  void assertDrained() {
    await().atMost(PATIENCE).untilAsserted(() -> {
      LaneSnapshot s = lane.snapshot();
      assertThat(s.inFlight()).as("in flight").isZero();
      assertThat(s.waiting()).as("waiting").isZero();
    });
  }

  /** Permits of {@code priority} given back, in any way. */
  long released(Priority priority) {
    LaneSnapshot s = lane.snapshot();
    return s.completed(priority) + s.dropped(priority) + s.ignored(priority);
  }

  static void sendError(HttpServletResponse response, int status) {
    try {
      if (!response.isCommitted()) {
        response.sendError(status);
      }
    } catch (java.io.IOException e) {
      // the client went away
    }
  }
}
