package dev.lanes.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {

  @ParameterizedTest(name = "{0} ~ {1}{2}: {3}")
  @CsvSource({
      "/health,     /health,  ,          true",
      "/health,     '',       /health,   true",     // a servlet mapped to /*
      "/health,     /health,  /x,        false",
      "/health,     /healthz, ,          false",
      "/reports/*,  /reports, ,          true",
      "/reports/*,  /reports, /2024/q1,  true",
      "/reports/*,  /reportsx, ,         false",
      "/*,          /anything, ,         true",
      "*.csv,       /export,  /a/b.csv,  true",
      "*.csv,       /export,  /a.csv/b,  false",
      "*.csv,       /export,  /a/.csv,   false",
      "*.csv,       /export,  /a/b.csvx, false",
  })
  void matchesLikeAServletMapping(String pattern, String servletPath, String pathInfo,
      boolean matches) {
    assertThat(RequestPaths.matching(pattern)
        .test(FakeRequest.from("1.2.3.4").path(servletPath, pathInfo).build()))
        .isEqualTo(matches);
  }

  @ParameterizedTest
  @ValueSource(strings = {"health", "/a/*/b", "/a*", "*.", "*.a/b", "**.csv", "", "/x/**"})
  void refusesWhatIsNotAServletPattern(String pattern) {
    assertThatThrownBy(() -> RequestPaths.matching(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + pattern + "'");
  }

  @org.junit.jupiter.api.Test
  void anyOfSeveralPatterns() {
    var test = RequestPaths.matching("/health", "/metrics/*");
    assertThat(test.test(FakeRequest.from("1.2.3.4").path("/metrics", "/jvm").build())).isTrue();
    assertThat(test.test(FakeRequest.from("1.2.3.4").path("/api", null).build())).isFalse();
    assertThat(test).hasToString("paths [/health, /metrics/*]");
    assertThatThrownBy(RequestPaths::matching).isInstanceOf(IllegalArgumentException.class);
  }
}
