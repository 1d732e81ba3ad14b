package dev.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which frames make a pinning event Lanes' fault. */
class PinnedInLanesTest {

  @Test
  void lanesMainClassesAndTheirNestedClassesCount() {
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanes.Lane")).isTrue();
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanes.BlockingWaiter$1")).isTrue();
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanes.nativelib.NativeLane$Worker")).isTrue();
  }

  @Test
  void testsTheirLambdasAndOtherLibrariesDoNot() {
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanes.VirtualThreadLaneTest")).isFalse();
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanes.VirtualThreadLaneTest$$Lambda/0x1"))
        .isFalse();
    assertThat(PinnedInLanes.isLanesMainCode("java.util.concurrent.CompletableFuture")).isFalse();
    assertThat(PinnedInLanes.isLanesMainCode("dev.lanesx.Lane")).isFalse();
  }
}
