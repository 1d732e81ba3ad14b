package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lanes.Lane;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.resilience4j.LaneBulkhead;
import dev.lanes.spring.app.TestApplication;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The starter in a real application on embedded Tomcat, over real HTTP: the filter admits and
 * refuses, {@code @Bulkhead} runs on a lane, and Actuator shows the lanes.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
        "lanes.defaults.max-wait=200ms",
        "lanes.lanes.http.algorithm=fixed",
        "lanes.lanes.http.limits.min=1",
        "lanes.lanes.http.limits.initial=1",
        "lanes.lanes.http.limits.max=1",
        "lanes.lanes.http.max-queued=0",
        "lanes.lanes.payments-api.limits.min=2",
        "lanes.lanes.payments-api.limits.initial=10",
        "lanes.lanes.payments-api.limits.max=50",
        "lanes.servlet.enabled=true",
        "lanes.servlet.lane=http",
        "lanes.servlet.bypass=/actuator/**",
        "management.endpoints.web.exposure.include=health,lanes,prometheus",
        "management.endpoint.health.show-components=always",
        "management.prometheus.metrics.export.enabled=true",
        // Resilience4j 2.4.0's Spring Boot 3 starter refuses Boot 4 in this check alone; without
        // it, its bulkhead aspect runs (see the README).
        "spring.autoconfigure.exclude="
            + "io.github.resilience4j.springboot3.verifier.autoconfigure.SpringBoot3VerifierAutoConfiguration",
    })
class LanesApplicationTest {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @LocalServerPort
  int port;

  @Autowired
  TestApplication.Gate gate;

  @Autowired
  LaneRegistry lanes;

  @Autowired
  BulkheadRegistry bulkheads;

  @Test
  void aRequestTakesTheLaneAndOneTooManyGets503WithRetryAfter() throws Exception {
    Lane http = lanes.named("http");
    gate.reset();
    CompletableFuture<HttpResponse<String>> first = send("/slow");
    try {
      assertThat(gate.awaitEntered()).as("the first request reached the controller").isTrue();
      assertThat(http.inFlight()).isEqualTo(1);

      HttpResponse<String> refused = send("/slow").get(30, TimeUnit.SECONDS);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
          seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
      assertThat(refused.body()).contains("QUEUE_FULL");

      // Actuator is bypassed, so it answers while the lane is full.
      assertThat(send("/actuator/health").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    } finally {
      gate.release();
    }
    HttpResponse<String> served = first.get(30, TimeUnit.SECONDS);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.body()).isEqualTo("done");
    await().atMost(Duration.ofSeconds(30)).until(() -> http.inFlight() == 0);
    assertThat(http.snapshot().rejected(dev.lanes.Priority.NORMAL)).isGreaterThanOrEqualTo(1);
  }

  @Test
  void bulkheadAnnotationRunsOnTheLaneOfItsName() throws Exception {
    HttpResponse<String> paid = send("/pay").get(30, TimeUnit.SECONDS);
    assertThat(paid.statusCode()).isEqualTo(200);
    assertThat(paid.body()).isEqualTo("in flight on payments-api: 1");
    assertThat(bulkheads.bulkhead("payments-api")).isInstanceOfSatisfying(LaneBulkhead.class,
        bulkhead -> assertThat(bulkhead.lane()).isSameAs(lanes.named("payments-api")));
    assertThat(lanes.named("payments-api").snapshot().admitted(dev.lanes.Priority.NORMAL))
        .isGreaterThanOrEqualTo(1);
    assertThat(lanes.named("payments-api").inFlight()).isZero();
  }

  @Test
  void actuatorShowsTheLanes() throws Exception {
    HttpResponse<String> all = send("/actuator/lanes").get(30, TimeUnit.SECONDS);
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).contains("json"));
    assertThat(all.body())
        .contains("\"http\":{\"limit\":1,\"minLimit\":1,\"maxLimit\":1,")
        .contains("\"payments-api\":{\"limit\":10,\"minLimit\":2,\"maxLimit\":50,")
        .contains("\"priorities\":{\"critical\":{\"waiting\":0,");

    HttpResponse<String> one = send("/actuator/lanes/payments-api").get(30, TimeUnit.SECONDS);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).startsWith("{\"limit\":10,");
    assertThat(send("/actuator/lanes/nope").get(30, TimeUnit.SECONDS).statusCode())
        .isEqualTo(404);

    HttpResponse<String> prometheus = send("/actuator/prometheus").get(30, TimeUnit.SECONDS);
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body())
        .containsPattern("(?m)^lanes_limit\\{lane=\"http\"\\} 1\\.0$")
        .containsPattern("(?m)^lanes_limit\\{lane=\"payments-api\"\\} 10\\.0$");

    HttpResponse<String> health = send("/actuator/health").get(30, TimeUnit.SECONDS);
    assertThat(health.body()).contains("\"lanes\":{\"status\":\"UP\"");
  }

  private CompletableFuture<HttpResponse<String>> send(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build();
    return CLIENT.sendAsync(request, BodyHandlers.ofString());
  }
}
