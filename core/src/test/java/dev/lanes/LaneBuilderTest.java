package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.limit.WindowConfig;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each invalid setting is refused with a message that names the setting and the value. */
class LaneBuilderTest {

  private static LaneBuilder valid() {
    return Lane.builder("valid").algorithm((w, l) -> l).limits(2, 4, 8);
  }

  private static void refused(Supplier<?> build, String setting, String value) {
    assertThatThrownBy(build::get)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value);
  }

  @Test
  void refusesLimitsThatDoNotFit() {
    refused(() -> valid().limits(0, 1, 4).build(), "min", "0");
    refused(() -> valid().limits(2, 1, 4).build(), "initial", "1");
    refused(() -> valid().limits(2, 9, 8).build(), "initial", "9");
    refused(() -> valid().limits(4, 4, 3).build(), "max", "3");
  }

  @Test
  void refusesAReserveOfMaxOrMore() {
    refused(() -> valid().backgroundReserve(8).build(), "backgroundReserve", "8");
    refused(() -> valid().backgroundReserve(-1).build(), "backgroundReserve", "-1");
  }

  @Test
  void refusesACeilingBelowMax() {
    refused(() -> valid().criticalCeiling(7).build(), "criticalCeiling", "7");
  }

  @Test
  void refusesNegativeWaitsAndQueues() {
    refused(() -> valid().maxWait(Duration.ofMillis(-1)), "maxWait", "-0.001");
    refused(() -> valid().maxQueued(-1), "maxQueued", "-1");
    Lane lane = valid().build();
    refused(() -> lane.acquireAsync(Priority.NORMAL, Duration.ofSeconds(-2)), "maxWait", "-2");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, -0.5, 1.5, Double.NaN})
  void refusesAPercentileOutsideZeroToOne(double quantile) {
    refused(() -> WindowConfig.percentile(quantile), "percentile", String.valueOf(quantile));
  }

  @Test
  void refusesWindowsThatCannotClose() {
    refused(() -> WindowConfig.defaults().minSamples(0), "minSamples", "0");
    refused(() -> WindowConfig.defaults().maxDuration(Duration.ZERO), "maxDuration", "PT0S");
    refused(() -> WindowConfig.defaults().minDuration(Duration.ofSeconds(5)),
        "minDuration", "PT5S");
  }

  @Test
  void refusesABlankNameAndAnUnknownAlgorithm() {
    refused(() -> Lane.builder(" "), "name", "' '");
    refused(() -> Lane.builder("x").algorithm("no-such-algorithm"), "algorithm",
        "no-such-algorithm");
  }

  @Test
  void buildsWithTheGivenSettings() {
    Lane lane = valid().limits(3, 5, 9).build();
    assertThat(lane.name()).isEqualTo("valid");
    assertThat(lane.limit()).isEqualTo(5);
    assertThat(lane.inFlight()).isZero();
  }
}
