package dev.lanes.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.Lane;
import dev.lanes.Permit;
import dev.lanes.Priority;
import dev.lanes.registry.LaneRegistry;
import dev.lanes.servlet.LaneFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The filter's conditions, and what the properties make it do: routes, bypass, trusted priority.
 * Requests here are Spring's mock requests through the real {@link LaneFilter}; the real
 * container is in {@link LanesApplicationTest}.
 */
class LanesServletAutoConfigurationTest {

  private static final AutoConfigurations LANES = AutoConfigurations.of(
      LanesAutoConfiguration.class, LanesServletAutoConfiguration.class);

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(LANES);

  @Test
  void aServletAppGetsTheFilterForRequestAndAsyncDispatches() {
    web.withPropertyValues("lanes.servlet.enabled=true", "lanes.servlet.lane=http")
        .run(context -> {
          FilterRegistrationBean<LaneFilter> registration = registration(context);
          assertThat(registration.getFilter()).isInstanceOf(LaneFilter.class);
          assertThat(registration.isAsyncSupported()).isTrue();
          assertThat(registration.determineDispatcherTypes())
              .containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC);
          assertThat(registration.getUrlPatterns()).isEmpty(); // that is, "/*"
          assertThat(registration.getOrder()).isEqualTo(Integer.MAX_VALUE);
          assertThat(context.getBean(LaneRegistry.class).lanes())
              .extracting(Lane::name).containsExactly("http");
        });
  }

  @Test
  void offUnlessEnabled() {
    web.withPropertyValues("lanes.servlet.lane=http")
        .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    web.withPropertyValues("lanes.servlet.enabled=false", "lanes.servlet.lane=http")
        .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void notInAnApplicationThatIsNotAServletWebApp() {
    new ApplicationContextRunner().withConfiguration(LANES)
        .withPropertyValues("lanes.servlet.enabled=true", "lanes.servlet.lane=http")
        .run(context -> {
          assertThat(context).hasSingleBean(LaneRegistry.class);
          assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
  }

  @Test
  void notWithoutLanesServletOrTheServletApiOnTheClassPath() {
    for (Class<?> hidden : List.of(LaneFilter.class, Filter.class)) {
      web.withClassLoader(new FilteredClassLoader(hidden))
          .withPropertyValues("lanes.servlet.enabled=true", "lanes.servlet.lane=http")
          .run(context -> assertThat(context).doesNotHaveBean("laneFilter"));
    }
  }

  @Test
  void notWithoutARegistry() {
    web.withPropertyValues("lanes.enabled=false", "lanes.servlet.enabled=true",
            "lanes.servlet.lane=http")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
  }

  @Test
  void anApplicationsOwnLaneFilterWins() {
    web.withUserConfiguration(OwnRegistration.class)
        .withPropertyValues("lanes.servlet.enabled=true", "lanes.servlet.lane=http")
        .run(context -> {
          assertThat(context.getBeansOfType(FilterRegistrationBean.class)).containsOnlyKeys("mine");
          assertThat(context.getBean(LaneRegistry.class).lanes()).isEmpty();
        });
    web.withUserConfiguration(OwnFilter.class)
        .withPropertyValues("lanes.servlet.enabled=true", "lanes.servlet.lane=http")
        .run(context -> {
          assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
          assertThat(context).hasSingleBean(LaneFilter.class);
        });
  }

  @Test
  void routesPickTheLaneByPathAndBypassedPathsTakeNone() {
    web.withPropertyValues(
            "lanes.servlet.enabled=true",
            "lanes.servlet.lane=http",
            "lanes.servlet.routes[0].pattern=/reports/**",
            "lanes.servlet.routes[0].lane=reports",
            "lanes.servlet.routes[1].pattern=/exports/{id}/*.csv",
            "lanes.servlet.routes[1].lane=exports",
            "lanes.servlet.bypass=/actuator/health/**,/ping")
        .run(context -> {
          LaneRegistry lanes = context.getBean(LaneRegistry.class);
          Filter filter = registration(context).getFilter();
          assertThat(laneOf(filter, lanes, "/reports")).isEqualTo("reports");
          assertThat(laneOf(filter, lanes, "/reports/2024/q1")).isEqualTo("reports");
          assertThat(laneOf(filter, lanes, "/exports/7/all.csv")).isEqualTo("exports");
          assertThat(laneOf(filter, lanes, "/exports/7/all.json")).isEqualTo("http");
          assertThat(laneOf(filter, lanes, "/reportsx")).isEqualTo("http");
          assertThat(laneOf(filter, lanes, "/")).isEqualTo("http");
          assertThat(laneOf(filter, lanes, "/actuator/health")).isEqualTo("none");
          assertThat(laneOf(filter, lanes, "/actuator/health/liveness")).isEqualTo("none");
          assertThat(laneOf(filter, lanes, "/ping")).isEqualTo("none");
          assertThat(laneOf(filter, lanes, "/ping/more")).isEqualTo("http");
        });
  }

  @Test
  void withRoutesOnlyARequestNoRouteMatchesIsNotLimited() {
    web.withPropertyValues("lanes.servlet.enabled=true",
            "lanes.servlet.routes[0].pattern=/reports/**", "lanes.servlet.routes[0].lane=reports")
        .run(context -> {
          Filter filter = registration(context).getFilter();
          LaneRegistry lanes = context.getBean(LaneRegistry.class);
          assertThat(laneOf(filter, lanes, "/reports/1")).isEqualTo("reports");
          assertThat(laneOf(filter, lanes, "/other")).isEqualTo("none");
        });
  }

  @Test
  void thePriorityHeaderCountsOnlyFromATrustedProxy() {
    web.withPropertyValues(
            "lanes.servlet.enabled=true",
            "lanes.servlet.lane=http",
            "lanes.servlet.max-wait=0s",
            "lanes.servlet.priority-header=X-Priority",
            "lanes.servlet.trusted-proxies=10.0.0.0/8,fd00::/8",
            "lanes.lanes.http.algorithm=fixed",
            "lanes.lanes.http.limits.min=1",
            "lanes.lanes.http.limits.initial=1",
            "lanes.lanes.http.limits.max=1")
        .run(context -> {
          Filter filter = registration(context).getFilter();
          Lane http = context.getBean(LaneRegistry.class).named("http");
          try (Permit full = http.tryAcquire(Priority.NORMAL).orElseThrow()) {
            // CRITICAL bypasses the full lane, but only when a trusted proxy says so.
            assertThat(status(filter, "10.1.2.3", "critical")).isEqualTo(200);
            assertThat(status(filter, "fd00::7", "CRITICAL")).isEqualTo(200);
            assertThat(status(filter, "127.0.0.1", "critical")).isEqualTo(503);
            assertThat(status(filter, "10.1.2.3", "normal")).isEqualTo(503);
          }
          assertThat(status(filter, "127.0.0.1", "critical")).isEqualTo(200);
          assertThat(http.inFlight()).isZero();
        });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "lanes.servlet.priority-header=X-Priority;lanes.servlet.trusted-proxies=10.0.0.0/8,10.0.0.1/8"
          + " | lanes.servlet.trusted-proxies[1] | not an address block",
      "lanes.servlet.priority-header=X-Priority;lanes.servlet.trusted-proxies=intranet"
          + " | lanes.servlet.trusted-proxies[0] | 'intranet'",
      "lanes.servlet.priority-header=X-Priority | lanes.servlet.trusted-proxies | missing",
      "lanes.servlet.trusted-proxies=10.0.0.0/8 | lanes.servlet.priority-header | no header",
      "lanes.servlet.routes[0].pattern=/a/**/b/**;lanes.servlet.routes[0].lane=a"
          + " | lanes.servlet.routes[0].pattern | not a path pattern",
      "lanes.servlet.routes[0].pattern=reports/**;lanes.servlet.routes[0].lane=a"
          + " | lanes.servlet.routes[0].pattern | starts with '/'",
      "lanes.servlet.routes[0].pattern=/a | lanes.servlet.routes[0].lane | missing",
      "lanes.servlet.bypass=/ok,/{bad | lanes.servlet.bypass[1] | '/{bad'",
      "lanes.servlet.reject-status=200 | lanes.servlet.reject-status | 4xx or 5xx",
      "lanes.servlet.max-wait=-2s | lanes.servlet.max-wait | must not be negative",
  })
  void aBadValueFailsStartUpNamingItsProperty(String properties, String property, String says) {
    List<String> all = new ArrayList<>(List.of("lanes.servlet.enabled=true",
        "lanes.servlet.lane=http"));
    all.addAll(List.of(properties.split(";")));
    web.withPropertyValues(all.toArray(String[]::new)).run(context -> {
      assertThat(context).hasFailed();
      FailureAnalysis analysis =
          new InvalidLanesPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis).as("a failure analysis").isNotNull();
      assertThat(analysis.getDescription())
          .startsWith("Property '" + property + "' is ").contains(says);
    });
  }

  @Test
  void neitherALaneNorRoutesFailsStartUp() {
    web.withPropertyValues("lanes.servlet.enabled=true").run(context -> {
      FailureAnalysis analysis =
          new InvalidLanesPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis.getDescription()).startsWith("Property 'lanes.servlet.lane' is missing");
    });
  }

  @SuppressWarnings("unchecked")
  private static FilterRegistrationBean<LaneFilter> registration(
      AssertableWebApplicationContext context) {
    String[] names = context.getBeanNamesForType(
        ResolvableType.forClassWithGenerics(FilterRegistrationBean.class, LaneFilter.class));
    assertThat(names).containsExactly("laneFilter");
    return context.getBean(names[0], FilterRegistrationBean.class);
  }

  /** Runs a request through the filter and says which lane it held a permit of. */
  private static String laneOf(Filter filter, LaneRegistry lanes, String path) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
    request.setServletPath(path);
    List<String> held = new ArrayList<>();
    MockFilterChain chain = new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
      @Override
      protected void service(jakarta.servlet.http.HttpServletRequest req,
          jakarta.servlet.http.HttpServletResponse res) {
        lanes.lanes().stream().filter(lane -> lane.inFlight() > 0)
            .forEach(lane -> held.add(lane.name()));
      }
    });
    filter.doFilter(request, new MockHttpServletResponse(), chain);
    assertThat(held).hasSizeLessThanOrEqualTo(1);
    return held.isEmpty() ? "none" : held.get(0);
  }

  private static int status(Filter filter, String peer, String priority) throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/work");
    request.setServletPath("/work");
    request.setRemoteAddr(peer);
    request.addHeader("X-Priority", priority);
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(request, response, new MockFilterChain());
    return response.getStatus();
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistration {
    @Bean
    FilterRegistrationBean<LaneFilter> mine() {
      return new FilterRegistrationBean<>(LaneFilter.builder(request -> null).build());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnFilter {
    @Bean
    LaneFilter myLaneFilter() {
      return LaneFilter.builder(request -> null).build();
    }
  }

}
