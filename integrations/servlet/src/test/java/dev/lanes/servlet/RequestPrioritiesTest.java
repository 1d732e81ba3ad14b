package dev.lanes.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.Priority;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPrioritiesTest {

  private static final Function<HttpServletRequest, Priority> BEHIND_PROXIES =
      RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "fd00::/8", "192.0.2.10");

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {
      "10.1.2.3", "::ffff:10.1.2.3", "fd00::1", "fdff:ffff::1", "192.0.2.10",
      "[fd00::1]", "FD00::1"})
  void aTrustedPeerSetsThePriority(String peer) {
    assertThat(classify(peer, "critical")).isEqualTo(Priority.CRITICAL);
    assertThat(classify(peer, "BACKGROUND")).isEqualTo(Priority.BACKGROUND);
    assertThat(classify(peer, "Normal")).isEqualTo(Priority.NORMAL);
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {
      "127.0.0.1", "11.0.0.1", "192.0.2.11", "::1", "fe80::1%eth0", "2001:db8::1",
      "::ffff:127.0.0.1", "unknown", "", "10.0.0.1, 127.0.0.1", "localhost", "10.1.2.3.nip.io"})
  void anUntrustedPeerCannotRaiseItsPriority(String peer) {
    assertThat(classify(peer, "critical")).isEqualTo(Priority.NORMAL);
    assertThat(classify(peer, "background")).isEqualTo(Priority.NORMAL);
  }

  @Test
  void aMissingPeerAddressIsUntrusted() {
    assertThat(classify(null, "critical")).isEqualTo(Priority.NORMAL);
  }

  @ParameterizedTest(name = "X-Priority: \"{0}\"")
  @ValueSource(strings = {
      "", " ", "crit", "critical!", "critical, critical", "CRITICAL\u0000x", "0", "-1",
      "criticalcriticalcritical", "\u0130CRITICAL", "кritical", "null"})
  void garbageIsNormal(String value) {
    assertThat(classify("10.0.0.1", value)).isEqualTo(Priority.NORMAL);
  }

  @Test
  void anOversizedValueIsNormalEvenIfItPadsAValidName() {
    assertThat(classify("10.0.0.1", " ".repeat(20) + "critical")).isEqualTo(Priority.NORMAL);
    assertThat(classify("10.0.0.1", "critical" + " ".repeat(10_000))).isEqualTo(Priority.NORMAL);
    assertThat(classify("10.0.0.1", "  critical  ")).isEqualTo(Priority.CRITICAL);
  }

  @Test
  void aHeaderSentTwiceIsIgnored() {
    HttpServletRequest twice = FakeRequest.from("10.0.0.1")
        .header("X-Priority", "background").header("X-Priority", "critical").build();
    assertThat(BEHIND_PROXIES.apply(twice)).isEqualTo(Priority.NORMAL);
  }

  @Test
  void noHeaderIsNormal() {
    assertThat(BEHIND_PROXIES.apply(FakeRequest.from("10.0.0.1").build()))
        .isEqualTo(Priority.NORMAL);
  }

  @Test
  void fromHeaderNeedsATrustedBlockAndValidOnes() {
    assertThatThrownBy(() -> RequestPriorities.fromHeader("X-Priority"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one trusted proxy");
    assertThatThrownBy(() -> RequestPriorities.fromHeader("X-Priority", "10.0.0.0/8", "10.0.0.1/8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trustedProxies: '10.0.0.1/8'");
    assertThatThrownBy(() -> RequestPriorities.fromHeader(" ", "10.0.0.0/8"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
  }

  @Test
  void fromAttributeReadsWhatTheServerStored() {
    Function<HttpServletRequest, Priority> fromAttribute =
        RequestPriorities.fromAttribute("lanes.priority");
    assertThat(fromAttribute.apply(FakeRequest.from("1.2.3.4")
        .attribute("lanes.priority", Priority.CRITICAL).build())).isEqualTo(Priority.CRITICAL);
    assertThat(fromAttribute.apply(FakeRequest.from("1.2.3.4")
        .attribute("lanes.priority", "background").build())).isEqualTo(Priority.BACKGROUND);
    assertThat(fromAttribute.apply(FakeRequest.from("1.2.3.4")
        .attribute("lanes.priority", 42).build())).isEqualTo(Priority.NORMAL);
    assertThat(fromAttribute.apply(FakeRequest.from("1.2.3.4")
        .attribute("lanes.priority", "urgent").build())).isEqualTo(Priority.NORMAL);
    assertThat(fromAttribute.apply(FakeRequest.from("1.2.3.4").build()))
        .isEqualTo(Priority.NORMAL);
  }

  @Test
  void rulesAreTriedInOrderAndTheFirstMatchDecides() {
    Function<HttpServletRequest, Priority> rules = RequestPriorities.rules()
        .path("/health", Priority.CRITICAL)
        .role("batch", Priority.BACKGROUND)
        .path("/reports/*", Priority.BACKGROUND)
        .path("/reports/urgent", Priority.CRITICAL)   // never reached: the rule above wins
        .when(r -> "10.9.9.9".equals(r.getRemoteAddr()), Priority.BACKGROUND)
        .otherwise(RequestPriorities.fromAttribute("p"));

    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/health", null).build()))
        .isEqualTo(Priority.CRITICAL);
    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/health", null).role("batch")
        .build())).isEqualTo(Priority.CRITICAL);
    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/api", "/x").role("batch").build()))
        .isEqualTo(Priority.BACKGROUND);
    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/reports", "/urgent").build()))
        .isEqualTo(Priority.BACKGROUND);
    assertThat(rules.apply(FakeRequest.from("10.9.9.9").path("/api", null).build()))
        .isEqualTo(Priority.BACKGROUND);
    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/api", null)
        .attribute("p", Priority.CRITICAL).build())).isEqualTo(Priority.CRITICAL);
    assertThat(rules.apply(FakeRequest.from("1.2.3.4").path("/api", null).build()))
        .isEqualTo(Priority.NORMAL);
  }

  @Test
  void rulesAreImmutable() {
    RequestPriorities.Rules base = RequestPriorities.rules();
    RequestPriorities.Rules more = base.path("/x", Priority.CRITICAL);
    HttpServletRequest x = FakeRequest.from("1.2.3.4").path("/x", null).build();
    assertThat(base.apply(x)).isEqualTo(Priority.NORMAL);
    assertThat(more.apply(x)).isEqualTo(Priority.CRITICAL);
    assertThat(more.otherwise(r -> null).apply(FakeRequest.from("1.2.3.4").path("/y", null)
        .build())).as("a fallback that answers null").isEqualTo(Priority.NORMAL);
  }

  @ParameterizedTest(name = "{0} capped at {1} is {2}")
  @CsvSource({
      "CRITICAL,   NORMAL,     NORMAL",
      "NORMAL,     NORMAL,     NORMAL",
      "BACKGROUND, NORMAL,     BACKGROUND",
      "CRITICAL,   BACKGROUND, BACKGROUND",
      "NORMAL,     BACKGROUND, BACKGROUND",
      "CRITICAL,   CRITICAL,   CRITICAL",
  })
  void noHigherThanLowersWhatIsTooUrgent(Priority given, Priority cap, Priority expected) {
    assertThat(RequestPriorities.noHigherThan(cap, r -> given)
        .apply(FakeRequest.from("1.2.3.4").build())).isEqualTo(expected);
  }

  @Test
  void classifiersDescribeThemselves() {
    assertThat(BEHIND_PROXIES.toString()).contains("X-Priority", "10.0.0.0/8", "fd00::/8");
    assertThat(RequestPriorities.rules().path("/x", Priority.CRITICAL).toString())
        .contains("path /x -> CRITICAL");
  }

  private static Priority classify(String peer, String header) {
    return BEHIND_PROXIES.apply(FakeRequest.from(peer).header("X-Priority", header).build());
  }
}
