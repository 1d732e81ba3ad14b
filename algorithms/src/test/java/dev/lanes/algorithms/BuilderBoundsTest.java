package dev.lanes.algorithms;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The builders refuse bad values with a message that names them. */
class BuilderBoundsTest {

  private static void refused(ThrowingCallable call, String setting, String value) {
    assertThatThrownBy(call)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value);
  }

  @Test
  void toleranceMustBeAboveOne() {
    refused(() -> TailGradientLimit.newBuilder().tolerance(1.0), "tolerance", "1.0");
    refused(() -> TailAimdLimit.newBuilder().tolerance(0.5), "tolerance", "0.5");
  }

  @Test
  void backoffMustBeBetweenZeroAndOne() {
    refused(() -> TailAimdLimit.newBuilder().backoff(1.0), "backoff", "1.0");
    refused(() -> TailAimdLimit.newBuilder().backoff(0), "backoff", "0.0");
    refused(() -> TailGradientLimit.newBuilder().dropBackoff(1.5), "dropBackoff", "1.5");
    refused(() -> TailVegasLimit.newBuilder().dropBackoff(-0.1), "dropBackoff", "-0.1");
  }

  @Test
  void percentileMustBeBetweenZeroAndOne() {
    refused(() -> TailGradientLimit.newBuilder().percentile(1.0), "percentile", "1.0");
    refused(() -> TailAimdLimit.newBuilder().percentile(0), "percentile", "0.0");
    refused(() -> TailVegasLimit.newBuilder().percentile(Double.NaN), "percentile", "NaN");
  }

  @Test
  void otherSettings() {
    refused(() -> TailAimdLimit.newBuilder().step(0), "step", "0");
    refused(() -> TailGradientLimit.newBuilder().smoothing(0), "smoothing", "0.0");
    refused(() -> TailGradientLimit.newBuilder().probeInterval(0), "probeInterval", "0");
    refused(() -> TailVegasLimit.newBuilder().alpha(3).beta(2).build(), "beta", "2.0");
    refused(() -> FixedLimit.of(0), "limit", "0");
  }
}
