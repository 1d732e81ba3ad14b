package dev.lanes.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
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

  /**
   * Defect 9 (issue 8): a lane being built while {@code close()} ran was handed out open and
   * never closed. The builder is held inside the registry's customize hook while another thread
   * calls {@code close()}; close must not return before that lane exists, and must close it.
   */
  @Test
  void aLaneBeingCreatedWhileTheRegistryClosesIsClosedToo() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    LaneRegistry lanes = LaneRegistry.builder()
        .probe(DeviceProbe.at(Paths.get("src/test/resources/fixtures", "nvme")))
        .algorithm(() -> (window, limit) -> limit)
        .customize(builder -> {
          if (builder.name().equals("slow")) {
            building.countDown();
            awaitQuietly(finish);
          }
        })
        .build();
    AtomicReference<Object> created = new AtomicReference<>();
    Thread creator = new Thread(() -> {
      try {
        created.set(lanes.named("slow"));
      } catch (RuntimeException e) {
        created.set(e);
      }
    });
    creator.start();
    building.await();
    Thread closer = new Thread(lanes::close);
    closer.start();
    // The closer either returns (the defect) or waits for the creation in progress.
    await().atMost(Duration.ofSeconds(30)).until(() -> closer.getState() != Thread.State.RUNNABLE
        && closer.getState() != Thread.State.NEW);
    finish.countDown();
    creator.join();
    closer.join();

    Object lane = created.get();
    assertThat(lane).isInstanceOf(Lane.class);
    assertThat(((Lane) lane).isClosed()).as("the lane created during close()").isTrue();
    assertThat(lanes.lanes()).allMatch(Lane::isClosed);
    assertThatThrownBy(() -> lanes.named("later"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  /** Defect 9, hammered: whatever interleaving, every lane handed out is closed after close(). */
  @Test
  void everyLaneHandedOutAroundCloseIsClosedAfterIt() throws Exception {
    for (int round = 0; round < 200; round++) {
      LaneRegistry lanes = on("nvme");
      List<Lane> handedOut = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        threads.add(new Thread(() -> {
          awaitQuietly(start);
          for (int i = 0; i < 50; i++) {
            try {
              handedOut.add(i % 2 == 0 ? lanes.named("lane-" + thread + "-" + i)
                  : lanes.forNativeLibrary("lib-" + thread + "-" + i, NativeProfile.IO_BOUND).lane());
            } catch (IllegalStateException closed) {
              assertThat(closed).hasMessageContaining("closed");
              return;
            }
          }
        }));
      }
      threads.forEach(Thread::start);
      start.countDown();
      lanes.close();
      for (Thread thread : threads) {
        thread.join();
      }
      int r = round;
      assertThat(handedOut).as("round %d", r).allMatch(Lane::isClosed);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
