package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.limit.LimitAlgorithm;
import dev.lanes.limit.LimitAlgorithmProvider;
import dev.lanes.limit.LimitAlgorithms;
import dev.lanes.limit.WindowSummary;
import org.junit.jupiter.api.Test;

/** Algorithms are found by name through ServiceLoader; the default needs lanes-algorithms. */
class AlgorithmLookupTest {

  /** Registered in this module's test resources under META-INF/services. */
  public static final class HalvingProvider implements LimitAlgorithmProvider {
    @Override
    public String name() {
      return "test-halving";
    }

    @Override
    public LimitAlgorithm create() {
      return new HalvingLimit();
    }
  }

  static final class HalvingLimit implements LimitAlgorithm {
    @Override
    public int update(WindowSummary window, int limit) {
      return limit / 2;
    }
  }

  @Test
  void findsAProviderByNameAndGivesEachLaneItsOwnInstance() {
    assertThat(LimitAlgorithms.names()).contains("test-halving");
    LimitAlgorithm a = LimitAlgorithms.create("test-halving").orElseThrow();
    LimitAlgorithm b = LimitAlgorithms.create("test-halving").orElseThrow();
    assertThat(a).isNotSameAs(b);

    Lane lane = Lane.builder("named").algorithm("test-halving").limits(1, 8, 8)
        .window(SteerableAlgorithm.everyRelease()).build();
    lane.tryAcquire(Priority.NORMAL).orElseThrow().close();
    assertThat(lane.limit()).isEqualTo(4);
  }

  @Test
  void withoutLanesAlgorithmsTheDefaultSaysWhatToAdd() {
    // lanes-core's own tests do not have lanes-algorithms on the class path.
    assertThatThrownBy(() -> Lane.builder("default").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gradient")
        .hasMessageContaining("lanes-algorithms");
  }
}
