package dev.lanes.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Classification against fake machines laid out as Linux lays out /proc and /sys (see
 * {@code src/test/resources/fixtures/make_fixtures.py}), and against this machine's own.
 */
class DeviceProbeTest {

  private static DeviceProbe machine(String name) {
    return DeviceProbe.at(Paths.get("src/test/resources/fixtures", name));
  }

  @ParameterizedTest(name = "{0}: {1} is {2} on {3}")
  @CsvSource(delimiter = '|', value = {
      "nvme      | /data/table.db            | NVME         | nvme0n1",
      "nvme      | /boot/vmlinuz             | NVME         | nvme0n1",
      "sata-ssd  | /var/lib/app/state        | SATA_SSD     | sda",
      "hdd       | /archive/2019/logs.tar    | HDD          | sdb",
      "hdd       | /etc/hosts                | SATA_SSD     | sda",
      "virtio    | /home/user/notes.txt      | VIRTUAL_DISK | vda",
      "network   | /mnt/nfs/report.pdf       | NETWORK_FS   | nfs4:filer:/export/home",
      "network   | /mnt/smb/x                | NETWORK_FS   | cifs://fileserver/share",
      "network   | /mnt/ssh/y                | NETWORK_FS   | fuse.sshfs:user@host:/srv",
      "network   | /var/log/syslog           | VIRTUAL_DISK | vda",
      "tmpfs     | /tmp/scratch              | MEMORY       | memory",
      "tmpfs     | /dev/shm/segment          | MEMORY       | memory",
      "dm-crypt  | /home/me                  | NVME         | nvme0n1",
      "dm-crypt  | /boot/grub                | NVME         | nvme0n1",
      "md-raid   | /data/pg                  | HDD          | md0",
      "md-raid   | /mixed/files              | HDD          | md1",
      "md-raid   | /opt                      | NVME         | nvme0n1",
      "loop      | /mnt/image/inside         | NVME         | nvme0n1",
      "overlay   | /app/bin/server           | SATA_SSD     | sda",
      "spaces    | /mnt/my disk/photo.jpg    | HDD          | sdb",
  })
  void classifiesEachKindOfDevice(String machine, String path, DeviceClass expected,
      String key) {
    Classification c = machine(machine).classification(Paths.get(path));
    assertThat(c.deviceClass()).as(c.reason()).isEqualTo(expected);
    assertThat(c.deviceKey()).as(c.reason()).isEqualTo(key);
  }

  @Test
  void explainsTheStackItFollowed() {
    assertThat(machine("dm-crypt").classification(Paths.get("/home")).reason())
        .contains("dm-0", "nvme0n1p2", "nvme0n1");
    assertThat(machine("md-raid").classification(Paths.get("/mixed")).reason())
        .contains("md1", "slowest");
    assertThat(machine("loop").classification(Paths.get("/mnt/image")).reason())
        .contains("loop0", "/var/images/disk.img");
    assertThat(machine("virtio").classification(Paths.get("/")).reason())
        .contains("paravirtual", "rotational");
  }

  @Test
  void picksTheLongestMountPointAndDecodesEscapes() {
    DeviceProbe probe = machine("spaces");
    MountInfo mount = probe.mountOf(Paths.get("/mnt/my disk/photo.jpg"));
    assertThat(mount.mountPoint()).isEqualTo(Paths.get("/mnt/my disk"));
    assertThat(mount.fsType()).isEqualTo("ext4");
    assertThat(mount.source()).isEqualTo("/dev/sdb1");
    assertThat(mount.major()).isEqualTo(8);
    assertThat(mount.minor()).isEqualTo(17);
    assertThat(probe.mountOf(Paths.get("/mnt/my diskette")).mountPoint())
        .as("a name that only starts like a mount point").isEqualTo(Paths.get("/"));
  }

  @Test
  void followsLinksInsideTheProbedSystemAndPlacesPathsThatDoNotExistYet() {
    DeviceProbe probe = machine("nvme");
    assertThat(probe.mountOf(Paths.get("/srv/link-to-data/table.db")).mountPoint())
        .as("a relative link to /data").isEqualTo(Paths.get("/"));
    assertThat(probe.mountOf(Paths.get("/data/boot-link/vmlinuz")).mountPoint())
        .as("an absolute link, kept inside the fake root").isEqualTo(Paths.get("/boot"));
    assertThat(probe.mountOf(Paths.get("/boot/not/yet/there.txt")).mountPoint())
        .isEqualTo(Paths.get("/boot"));
    MountInfo bind = probe.mountOf(Paths.get("/srv/data/table.db"));
    assertThat(bind.mountPoint()).isEqualTo(Paths.get("/srv/data"));
    assertThat(bind.root()).isEqualTo("/data");
    assertThat(probe.classification(Paths.get("/srv/data/table.db")).deviceKey())
        .as("a bind mount shares its device").isEqualTo("nvme0n1");
  }

  @Test
  void anUnreadableSystemIsUnknownWithAReasonAndNeverThrows(@TempDir Path empty) {
    DeviceProbe probe = DeviceProbe.at(empty);
    Classification c = probe.classification(Paths.get("/data"));
    assertThat(c.deviceClass()).isEqualTo(DeviceClass.UNKNOWN);
    assertThat(c.reason()).contains("mountinfo");
    assertThatThrownBy(() -> probe.mountOf(Paths.get("/data")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("proc/self/mountinfo");
  }

  @Test
  void aMountWithoutItsSysfsEntryIsUnknown(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("proc/self"));
    Files.writeString(root.resolve("proc/self/mountinfo"),
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
    Classification c = DeviceProbe.at(root).classification(Paths.get("/x"));
    assertThat(c.deviceClass()).isEqualTo(DeviceClass.UNKNOWN);
    assertThat(c.reason()).contains("sys/dev/block/8:1");
  }

  @Test
  void skipsMalformedLinesAndParsesOptionalFields() {
    MountTable table = MountTable.parse(List.of(
        "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue",
        "garbage",
        "12 1 x:y / /broken rw - ext4 /dev/sda rw",
        "",
        "40 1 0:50 / /path\\040with\\011tab\\134slash rw - tmpfs none rw"));
    assertThat(table.mounts()).hasSize(2);
    MountInfo first = table.mounts().get(0);
    assertThat(first.root()).isEqualTo("/mnt1");
    assertThat(first.mountPoint()).isEqualTo(Paths.get("/mnt2"));
    assertThat(first.fsType()).isEqualTo("ext3");
    assertThat(first.superOption("errors")).isEqualTo("continue");
    assertThat(table.mounts().get(1).mountPoint())
        .isEqualTo(Paths.get("/path with\ttab\\slash"));
    assertThat(table.skipped()).hasSize(2);
  }

  @Test
  void classifiesThisMachine(@TempDir Path dir) {
    DeviceProbe probe = DeviceProbe.system();
    Path real = Paths.get("/proc/self/mountinfo");
    if (!Files.isReadable(real)) {
      assertThat(probe.classify(dir)).isEqualTo(DeviceClass.UNKNOWN);
      return;
    }
    MountInfo mount = probe.mountOf(dir);
    Classification c = probe.classification(dir);
    System.out.println(dir + " is on " + mount + ": " + c);
    assertThat(dir.toAbsolutePath().startsWith(mount.mountPoint())).isTrue();
    assertThat(c.mount()).isEqualTo(mount);
    if (mount.major() != 0
        && Files.exists(Paths.get("/sys/dev/block/" + mount.major() + ":" + mount.minor()))) {
      assertThat(c.deviceClass()).as(c.reason()).isNotEqualTo(DeviceClass.UNKNOWN);
    }
  }

  @Test
  void sizesComeFromTheClass() {
    assertThat(DeviceClass.HDD.max()).isEqualTo(8);
    assertThat(DeviceClass.NVME.initial()).isEqualTo(16);
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(DeviceClass.MEMORY.min()).isEqualTo(cores);
    assertThat(DeviceClass.MEMORY.max()).isEqualTo(4 * cores);
    assertThat(DeviceClass.slower(DeviceClass.NVME, DeviceClass.HDD)).isEqualTo(DeviceClass.HDD);
  }
}
