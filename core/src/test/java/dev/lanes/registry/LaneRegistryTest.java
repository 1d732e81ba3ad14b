package dev.lanes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lanes.Lane;
import dev.lanes.Priority;
import dev.lanes.io.DeviceClass;
import dev.lanes.io.DeviceProbe;
import dev.lanes.nativelib.NativeLane;
import dev.lanes.nativelib.NativeProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaneRegistryTest {

  private static LaneRegistry on(String machine) {
    return LaneRegistry.builder()
        .probe(DeviceProbe.at(Paths.get("src/test/resources/fixtures", machine)))
        .algorithm(() -> (window, limit) -> limit)
        .build();
  }

  @Test
  void pathsOnOneDiskShareItsLaneSizedByItsClass() {
    try (LaneRegistry lanes = on("md-raid")) {
      Lane root = lanes.forPath(Paths.get("/opt/app"));
      assertThat(lanes.forPath(Paths.get("/usr/bin/env"))).isSameAs(root);
      assertThat(root.name()).isEqualTo("disk:nvme0n1");
      assertThat(root.limit()).isEqualTo(DeviceClass.NVME.initial());

      Lane raid = lanes.forPath(Paths.get("/data/pg/base"));
      assertThat(raid).isNotSameAs(root);
      assertThat(raid.name()).isEqualTo("disk:md0");
      assertThat(raid.limit()).isEqualTo(DeviceClass.HDD.initial());
      assertThat(lanes.devices()).containsKeys("nvme0n1", "md0");
    }
  }

  @Test
  void aSingleDiskStackSharesTheDisksLane() {
    try (LaneRegistry lanes = on("dm-crypt")) {
      assertThat(lanes.forPath(Paths.get("/home/me")))
          .isSameAs(lanes.forPath(Paths.get("/boot/grub")));
    }
  }

  @Test
  void memoryFileSystemsShareOneLane() {
    try (LaneRegistry lanes = on("tmpfs")) {
      Lane tmp = lanes.forPath(Paths.get("/tmp/a"));
      assertThat(lanes.forPath(Paths.get("/dev/shm/b"))).isSameAs(tmp);
      assertThat(tmp.limit()).isEqualTo(DeviceClass.MEMORY.initial());
    }
  }

  @Test
  void namedAndNativeLanesAreCreatedOnce() {
    try (LaneRegistry lanes = on("nvme")) {
      Lane api = lanes.named("payments-api");
      assertThat(lanes.named("payments-api")).isSameAs(api);
      NativeLane zlib = lanes.forNativeLibrary("zlib", NativeProfile.CPU_BOUND);
      assertThat(lanes.forNativeLibrary("zlib", NativeProfile.IO_BOUND)).isSameAs(zlib);
      assertThat(lanes.lanes()).contains(api, zlib.lane());
    }
  }

  @Test
  void createsEachLaneOnceUnderConcurrentFirstUse() throws Exception {
    try (LaneRegistry lanes = on("md-raid")) {
      List<Path> paths = List.of(Paths.get("/opt"), Paths.get("/data/x"), Paths.get("/mixed/y"));
      Map<Lane, Boolean> seen = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 200; i++) {
            seen.put(lanes.forPath(paths.get(i % paths.size())), true);
          }
        });
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(seen).hasSize(3);
      assertThat(lanes.lanes()).hasSize(3);
    }
  }

  @Test
  void closeClosesEveryLaneAndRefusesNewOnes() {
    LaneRegistry lanes = on("nvme");
    Lane disk = lanes.forPath(Paths.get("/data"));
    Lane named = lanes.named("x");
    NativeLane lib = lanes.forNativeLibrary("lib", NativeProfile.CPU_BOUND);
    lanes.close();
    assertThat(disk.tryAcquire(Priority.CRITICAL)).isEmpty();
    assertThat(named.tryAcquire(Priority.CRITICAL)).isEmpty();
    assertThat(lib.lane().tryAcquire(Priority.CRITICAL)).isEmpty();
    assertThatThrownBy(() -> lanes.named("y")).hasMessageContaining("closed");
  }

  @Test
  void filesRunThroughTheLaneOfTheirDeviceOnThisMachine(@TempDir Path dir) throws Exception {
    try (LaneRegistry lanes = LaneRegistry.builder().algorithm(() -> (w, l) -> l).build()) {
      Path file = Files.write(dir.resolve("f"), new byte[] {42});
      assertThat(lanes.files().readAllBytes(file)).containsExactly(42);
      Lane lane = lanes.forPath(file);
      assertThat(lane.snapshot().completed(Priority.NORMAL)).isEqualTo(1);
      assertThat(lane.name()).startsWith("disk:");
    }
  }
}
