package dev.lanes.io;

import dev.lanes.LaneBuilder;

/**
 * The kinds of storage a lane can sit in front of, each with the limits a lane starts from: worked
 * out from how the hardware queues, then corrected at run time by the lane's algorithm.
 *
 * <pre>{@code
 * DeviceClass kind = DeviceProbe.system().classify(Path.of("/var/lib/db"));
 * Lane lane = kind.size(Lane.builder("db-disk")).build();
 * }</pre>
 *
 * <table>
 *   <caption>Starting sizes, and why</caption>
 *   <tr><th>class</th><th>min</th><th>initial</th><th>max</th><th>why</th></tr>
 *   <tr><td>HDD</td><td>1</td><td>2</td><td>8</td><td>one head: a second request lets the drive
 *       reorder seeks (NCQ), more only adds queueing</td></tr>
 *   <tr><td>SATA_SSD</td><td>2</td><td>4</td><td>16</td><td>a few flash channels behind one
 *       AHCI queue of 32</td></tr>
 *   <tr><td>NVME</td><td>4</td><td>16</td><td>128</td><td>many channels and deep hardware
 *       queues; throughput grows to queue depths of 16 to 64</td></tr>
 *   <tr><td>VIRTUAL_DISK</td><td>2</td><td>8</td><td>64</td><td>virtio or xen: some host storage
 *       of unknown kind behind a paravirtual queue; this machine's virtio disk scaled from 15k
 *       IOPS at depth 1 to 74k at 16</td></tr>
 *   <tr><td>NETWORK_FS</td><td>2</td><td>4</td><td>32</td><td>round trips dominate; a server
 *       and a link, not a spindle, saturate</td></tr>
 *   <tr><td>MEMORY</td><td>cores</td><td>2 × cores</td><td>4 × cores</td><td>tmpfs is memory
 *       copies: CPU-bound</td></tr>
 *   <tr><td>UNKNOWN</td><td>2</td><td>8</td><td>64</td><td>anything else: room either way</td></tr>
 * </table>
 */
public enum DeviceClass {
  /** A rotating disk. */
  HDD(1, 2, 8, 0),
  /** A solid-state disk behind SATA or SAS. */
  SATA_SSD(2, 4, 16, 2),
  /** An NVMe device. */
  NVME(4, 16, 128, 5),
  /** A paravirtual disk (virtio, xen), whatever its rotational flag claims. */
  VIRTUAL_DISK(2, 8, 64, 4),
  /** A network file system: NFS, SMB, Ceph, GlusterFS, sshfs and the like. */
  NETWORK_FS(2, 4, 32, 1),
  /** A memory file system: tmpfs, ramfs. */
  MEMORY(-1, -2, -4, 6),
  /** Anything the probe could not place. */
  UNKNOWN(2, 8, 64, 3);

  private final int min;
  private final int initial;
  private final int max;
  /** Lower is slower; a volume over mixed devices is as slow as its slowest member. */
  private final int speed;

  DeviceClass(int min, int initial, int max, int speed) {
    this.min = min;
    this.initial = initial;
    this.max = max;
    this.speed = speed;
  }

  /** The lowest limit a lane on this class of device may fall to. */
  public int min() {
    return scaled(min);
  }

  /** The limit a lane on this class of device starts from. */
  public int initial() {
    return scaled(initial);
  }

  /** The highest limit a lane on this class of device may reach. */
  public int max() {
    return scaled(max);
  }

  /** Sets {@code builder}'s limits to this class's; returns it. */
  public LaneBuilder size(LaneBuilder builder) {
    return builder.limits(min(), initial(), max());
  }

  /** The slower of two classes: what a volume striped or mirrored over both can sustain. */
  static DeviceClass slower(DeviceClass a, DeviceClass b) {
    return a.speed <= b.speed ? a : b;
  }

  /** Negative sizes are multiples of the processors this JVM may use (its container's quota). */
  private static int scaled(int size) {
    return size > 0 ? size : -size * Runtime.getRuntime().availableProcessors();
  }
}
