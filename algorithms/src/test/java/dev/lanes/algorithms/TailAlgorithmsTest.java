package dev.lanes.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lanes.limit.LimitAlgorithm;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every adaptive algorithm against deterministic window sequences and a closed-loop model. */
class TailAlgorithmsTest {

  private static final long MS = 1_000_000L;

  static Stream<Arguments> algorithms() {
    return Stream.of(
        Arguments.of("gradient", (Supplier<LimitAlgorithm>) TailGradientLimit::newDefault),
        Arguments.of("aimd", (Supplier<LimitAlgorithm>) TailAimdLimit::newDefault),
        Arguments.of("vegas", (Supplier<LimitAlgorithm>) TailVegasLimit::newDefault));
  }

  static Stream<Arguments> settling() {
    return algorithms().flatMap(a -> IntStream.of(4, 16, 64).boxed().flatMap(p ->
        IntStream.of(4, 500).mapToObj(start ->
            Arguments.of(a.get()[0], a.get()[1], p, start))));
  }

  /** Runs a few flat windows at full use, past the first probe, and returns the limit. */
  private static int warmUp(LimitAlgorithm algorithm, int limit) {
    for (int i = 0; i < 3; i++) {
      limit = algorithm.update(Window.busy(MS, limit), limit);
    }
    return limit;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void flatLatencyAtFullUseGrowsTheLimit(String name, Supplier<LimitAlgorithm> create) {
    LimitAlgorithm algorithm = create.get();
    int limit = warmUp(algorithm, 10);
    int before = limit;
    for (int i = 0; i < 10; i++) {
      limit = algorithm.update(Window.busy(MS, limit), limit);
    }
    assertThat(limit).as(name).isGreaterThan(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void aLimitTenTimesTooLowReachesTheRightSizeWithinFifteenWindows(
      String name, Supplier<LimitAlgorithm> create) {
    int parallelism = 64;
    int[] limits = ClosedLoopModel.of(parallelism).run(create.get(), parallelism / 10, 15);
    assertThat(limits[14]).as("%s: %s", name, Arrays.toString(limits))
        .isGreaterThanOrEqualTo(parallelism * 3 / 4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void aTriplingTailCutsTheLimitByAThirdWithinFiveWindows(
      String name, Supplier<LimitAlgorithm> create) {
    LimitAlgorithm algorithm = create.get();
    int limit = warmUp(algorithm, 100);
    int before = limit;
    int lowest = limit;
    for (int i = 0; i < 5; i++) {
      limit = algorithm.update(Window.busy(3 * MS, limit), limit);
      lowest = Math.min(lowest, limit);
    }
    // Within five windows the limit falls by a third. (Whether it stays down is another
    // question: a tail that does not come down with the limit is not a queue of this lane's
    // making, and the algorithms take it as the resource's new normal.)
    assertThat(lowest).as(name).isLessThanOrEqualTo((int) (before * 0.7));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void aWindowWithDropsLowersTheLimit(String name, Supplier<LimitAlgorithm> create) {
    LimitAlgorithm algorithm = create.get();
    int limit = warmUp(algorithm, 40);
    int next = algorithm.update(new Window(1_000, 3, MS, limit), limit);
    assertThat(next).as(name).isLessThan(limit);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void anIdleLaneDoesNotGrow(String name, Supplier<LimitAlgorithm> create) {
    LimitAlgorithm algorithm = create.get();
    int limit = warmUp(algorithm, 40);
    for (int i = 0; i < 40; i++) {
      int next = algorithm.update(new Window(500, 0, MS, limit / 4), limit);
      assertThat(next).as("%s, window %d", name, i).isLessThanOrEqualTo(limit);
      limit = next;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void aLastingDoublingOfServiceTimeDoesNotPinTheLimitAtMin(
      String name, Supplier<LimitAlgorithm> create) {
    int parallelism = 16;
    int[] limits = ClosedLoopModel.of(parallelism, w -> w < 60 ? MS : 2 * MS)
        .run(create.get(), 16, 300);
    int[] last = Arrays.copyOfRange(limits, 200, 300);
    assertThat(median(last)).as("%s: %s", name, Arrays.toString(last))
        .isGreaterThanOrEqualTo(parallelism / 2);
  }

  @ParameterizedTest(name = "{0}, P = {2}, from {3}")
  @MethodSource("settling")
  void settlesNearTheTrueParallelism(
      String name, Supplier<LimitAlgorithm> create, int parallelism, int start) {
    int[] limits = ClosedLoopModel.of(parallelism).run(create.get(), start, 200);
    int[] last = Arrays.copyOfRange(limits, 150, 200);
    double low = name.equals("aimd") ? 0.5 * parallelism : 0.75 * parallelism;
    double high = name.equals("aimd") ? 2.0 * parallelism + 2 : 1.5 * parallelism + 2;
    long inside = Arrays.stream(last).filter(l -> l >= low && l <= high).count();
    // A probe takes one window in fifty below the band, on purpose.
    assertThat(inside).as("%s settles in [%s, %s]: %s", name, low, high, Arrays.toString(last))
        .isGreaterThanOrEqualTo(last.length - 2);
  }

  static Stream<Arguments> smallParallelism() {
    return IntStream.rangeClosed(1, 4).boxed().flatMap(p ->
        IntStream.of(1, 4, 500).mapToObj(start -> Arguments.of(p, start)));
  }

  /**
   * Where one extra call is a queue of a half or a whole P, the gradient keeps the limit at P or
   * P + 1: its allowance, {@code sqrt(L) / 3}, is below one call there, so it spends about that
   * share of its windows at P + 1 and the rest at P.
   */
  @ParameterizedTest(name = "P = {0}, from {1}")
  @MethodSource("smallParallelism")
  void theGradientSettlesAtPOrPPlusOneForSmallP(int parallelism, int start) {
    int[] limits = ClosedLoopModel.of(parallelism).run(TailGradientLimit.newDefault(), start, 200);
    int[] last = Arrays.copyOfRange(limits, 100, 200);
    long atOrAbove = Arrays.stream(last).filter(l -> l >= parallelism).count();
    long above = Arrays.stream(last).filter(l -> l > parallelism + 1).count();
    // A probe takes one window in a hundred below P, on purpose.
    assertThat(atOrAbove).as("P = %d from %d: %s", parallelism, start, Arrays.toString(last))
        .isGreaterThanOrEqualTo(last.length - 2);
    assertThat(above).as("P = %d from %d: %s", parallelism, start, Arrays.toString(last))
        .isZero();
  }

  /**
   * P falls from 32 to 8 in two steps: first a little (a mild queue, the latency a third above
   * its no-load value, which starts a run of congested windows), then the rest. The limit must be
   * within a quarter of 8 ten windows later and stay there. (Where falls are smoothed, a run of
   * congested windows measured from where it began, not from its peak, took the level the limit
   * had halved to for the resource's new normal, over and over: 15, 30, 11, 23, 16, 26 ... .)
   */
  @org.junit.jupiter.api.Test
  void theGradientSettlesAfterADropThatFollowsAMildQueue() {
    int[] limits = ClosedLoopModel.withParallelism(w -> w < 100 ? 32 : w == 100 ? 26 : 8)
        .run(TailGradientLimit.newDefault(), 32, 200);
    int[] after = Arrays.copyOfRange(limits, 110, 200);
    long settled = Arrays.stream(after).filter(l -> l >= 6 && l <= 10).count();
    assertThat(settled).as("limits after the drop: %s", Arrays.toString(after))
        .isGreaterThanOrEqualTo(after.length - 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void settlesDespiteNoisyTails(String name, Supplier<LimitAlgorithm> create) {
    long seed = Long.getLong("lanes.seed", 20261127L);
    int parallelism = 16;
    int[] limits = ClosedLoopModel.noisy(parallelism, 0.1, seed).run(create.get(), 4, 400);
    int[] last = Arrays.copyOfRange(limits, 200, 400);
    double low = name.equals("aimd") ? 0.5 * parallelism : 0.75 * parallelism;
    double high = name.equals("aimd") ? 2.0 * parallelism + 2 : 1.5 * parallelism + 2;
    long inside = Arrays.stream(last).filter(l -> l >= low && l <= high).count();
    assertThat(inside).as("%s with 10%% noise, seed %d: %s", name, seed, Arrays.toString(last))
        .isGreaterThanOrEqualTo(last.length * 8 / 10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void twoFreshInstancesGiveTheSameOutputs(String name, Supplier<LimitAlgorithm> create) {
    int[] first = ClosedLoopModel.noisy(16, 0.2, 99).run(create.get(), 7, 300);
    int[] second = ClosedLoopModel.noisy(16, 0.2, 99).run(create.get(), 7, 300);
    assertThat(second).as(name).containsExactly(first);
  }

  private static int median(int[] values) {
    int[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
