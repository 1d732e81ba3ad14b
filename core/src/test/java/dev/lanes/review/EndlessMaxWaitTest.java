package dev.lanes.review;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.lanes.Lane;
import dev.lanes.Priority;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a defect an adversarial review reproduced; the text below describes the
 * failure as it was before the fix.
 *
 * A maxWait longer than about 292 years, the usual way to say "wait for ever"
 * ({@code ChronoUnit.FOREVER.getDuration()}, {@code Duration.ofMillis(Long.MAX_VALUE)}), is
 * accepted by {@code checkWait} and then overflows {@code Duration.toNanos()}: {@code acquire}
 * throws {@code ArithmeticException: long overflow} even with every permit free, and
 * {@code LaneBuilder.maxWait} accepts it and {@code build()} throws the same. Neither a wait nor a
 * clear error naming the setting.
 */
class EndlessMaxWaitTest {

  @Test
  void acquireOnAFreeLaneWithAnEndlessMaxWait() {
    Lane lane = Lane.builder("forever").algorithm((w, l) -> l).build();
    assertThatCode(() -> lane.acquire(Priority.NORMAL, ChronoUnit.FOREVER.getDuration()).close())
        .as("acquire with maxWait = ChronoUnit.FOREVER on an idle lane")
        .doesNotThrowAnyException();
  }

  @Test
  void buildWithAnEndlessDefaultMaxWait() {
    assertThatCode(() -> Lane.builder("forever").algorithm((w, l) -> l)
        .maxWait(Duration.ofMillis(Long.MAX_VALUE)).build())
        .as("build() after maxWait(Duration.ofMillis(Long.MAX_VALUE)) was accepted")
        .doesNotThrowAnyException();
  }
}
