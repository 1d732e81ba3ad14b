package dev.lanes.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the block device behind a major:minor number in {@code sys/} and says what it is. Follows
 * the kernel's layout: {@code sys/dev/block/MAJ:MIN} links into {@code sys/devices/...}; a
 * partition's directory has a {@code partition} file and sits inside its disk's; device-mapper
 * and md volumes list their members in {@code slaves/}; a loop device names its backing file in
 * {@code loop/backing_file}.
 */
final class SysBlock {

  private static final int MAX_DEPTH = 8;

  private final Path sys;
  /** Classifies a path of the probed system; a loop device's backing file needs it. */
  private final Function<String, Classification> classifyPath;

  SysBlock(Path sys, Function<String, Classification> classifyPath) {
    this.sys = sys;
    this.classifyPath = classifyPath;
  }

  /** What the device with this major:minor number is, and the disk that saturates. */
  Classification byNumber(int major, int minor, MountInfo mount) {
    Path link = sys.resolve("dev/block/" + major + ":" + minor);
    if (!Files.exists(link)) {
      return unknown(mount, "no sys/dev/block/" + major + ":" + minor);
    }
    return byDirectory(link, mount, 0);
  }

  /** What the device called {@code name} ({@code nvme0n1p2}, {@code dm-0}) is. */
  Classification byName(String name, MountInfo mount) {
    Path link = sys.resolve("class/block/" + name);
    if (!Files.exists(link)) {
      link = sys.resolve("block/" + name);
    }
    if (!Files.exists(link)) {
      return unknown(mount, "no block device " + name + " in sys/class/block");
    }
    return byDirectory(link, mount, 0);
  }

  private Classification byDirectory(Path link, MountInfo mount, int depth) {
    Path dir;
    try {
      dir = link.toRealPath();
    } catch (IOException e) {
      return unknown(mount, "cannot resolve " + sys.relativize(link) + ": " + e.getMessage());
    }
    if (depth > MAX_DEPTH) {
      return unknown(mount, "device stack deeper than " + MAX_DEPTH + " at " + dir.getFileName());
    }
    String name = dir.getFileName().toString();
    if (Files.exists(dir.resolve("partition"))) {
      Classification disk = byDirectory(dir.getParent(), mount, depth + 1);
      return new Classification(disk.deviceClass(), disk.deviceKey(), mount,
          "partition " + name + " of " + disk.reason());
    }
    List<Path> members = members(dir);
    if (!members.isEmpty()) {
      return volume(name, members, mount, depth);
    }
    if (name.startsWith("loop")) {
      return loop(dir, name, mount);
    }
    if (name.startsWith("zram") || name.startsWith("ram")) {
      return new Classification(DeviceClass.MEMORY, "memory", mount, name + ", a RAM disk");
    }
    if (name.startsWith("nvme")) {
      return new Classification(DeviceClass.NVME, name, mount, name + ", an NVMe device");
    }
    if (name.startsWith("vd") || name.startsWith("xvd") || dir.toString().contains("/virtio")) {
      return new Classification(DeviceClass.VIRTUAL_DISK, name, mount,
          name + ", a paravirtual disk (its rotational flag, " + rotational(dir)
              + ", says nothing about the storage behind it)");
    }
    if (name.startsWith("rbd") || name.startsWith("nbd")) {
      return new Classification(DeviceClass.NETWORK_FS, name, mount, name + ", a network block"
          + " device");
    }
    String rotational = rotational(dir);
    if ("1".equals(rotational)) {
      return new Classification(DeviceClass.HDD, name, mount, name + ", rotational");
    }
    if ("0".equals(rotational)) {
      return new Classification(DeviceClass.SATA_SSD, name, mount, name + ", not rotational");
    }
    return unknown(mount, name + ": no queue/rotational to read");
  }

  /**
   * A device-mapper or md volume: as slow as its slowest member. If every member sits on one disk
   * (dm-crypt on a partition, say), the volume shares that disk's lane; over several disks (RAID,
   * LVM) it has a lane of its own.
   */
  private Classification volume(String name, List<Path> members, MountInfo mount, int depth) {
    DeviceClass slowest = null;
    String sharedKey = null;
    boolean oneDisk = true;
    List<String> reasons = new ArrayList<>();
    for (Path member : members) {
      Classification c = byDirectory(member, mount, depth + 1);
      slowest = slowest == null ? c.deviceClass() : DeviceClass.slower(slowest, c.deviceClass());
      if (sharedKey == null) {
        sharedKey = c.deviceKey();
      } else if (!sharedKey.equals(c.deviceKey())) {
        oneDisk = false;
      }
      reasons.add(c.reason());
    }
    String key = oneDisk ? sharedKey : name;
    return new Classification(slowest, key, mount, name + " over " + String.join(" and ", reasons)
        + (members.size() > 1 ? ": the slowest member counts" : ""));
  }

  private Classification loop(Path dir, String name, MountInfo mount) {
    Path backing = dir.resolve("loop/backing_file");
    if (!Files.isReadable(backing)) {
      return unknown(mount, name + ": no loop/backing_file");
    }
    try {
      String file = Files.readString(backing).trim();
      Classification under = classifyPath.apply(file);
      return new Classification(under.deviceClass(), under.deviceKey(), mount,
          name + " backed by " + file + ", on " + under.reason());
    } catch (IOException e) {
      return unknown(mount, name + ": cannot read loop/backing_file: " + e.getMessage());
    }
  }

  private static List<Path> members(Path dir) {
    Path slaves = dir.resolve("slaves");
    List<Path> members = new ArrayList<>();
    if (!Files.isDirectory(slaves)) {
      return members;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(slaves)) {
      entries.forEach(members::add);
    } catch (IOException e) {
      return List.of();
    }
    members.sort(null); // a stable order, whatever the directory's
    return members;
  }

  private static String rotational(Path dir) {
    Path flag = dir.resolve("queue/rotational");
    try {
      return Files.isReadable(flag) ? Files.readString(flag).trim() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** An unknown device gets a lane per mount: two unknowns may well be two devices. */
  static Classification unknown(MountInfo mount, String reason) {
    String key = mount == null ? "unknown" : "unknown:" + mount.source() + "@" + mount.mountPoint();
    return new Classification(DeviceClass.UNKNOWN, key, mount, reason);
  }
}
