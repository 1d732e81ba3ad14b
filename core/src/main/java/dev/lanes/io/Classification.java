package dev.lanes.io;

import java.util.Objects;

/**
 * What a {@link DeviceProbe} found out about a path: the class of device, the device that really
 * saturates (the key under which paths share a lane), and why, in words a log can carry.
 *
 * <pre>{@code
 * Classification c = DeviceProbe.system().classification(Path.of("/data"));
 * log.info("{} is on {} ({}): {}", path, c.deviceKey(), c.deviceClass(), c.reason());
 * }</pre>
 */
public final class Classification {

  private final DeviceClass deviceClass;
  private final String deviceKey;
  private final MountInfo mount;
  private final String reason;

  Classification(DeviceClass deviceClass, String deviceKey, MountInfo mount, String reason) {
    this.deviceClass = Objects.requireNonNull(deviceClass);
    this.deviceKey = Objects.requireNonNull(deviceKey);
    this.mount = mount;
    this.reason = Objects.requireNonNull(reason);
  }

  /** The class of device, {@link DeviceClass#UNKNOWN} when the probe could not tell. */
  public DeviceClass deviceClass() {
    return deviceClass;
  }

  /**
   * The queue that saturates: a whole disk for any of its partitions (or a single-disk stack such
   * as dm-crypt on one), a RAID or LVM volume over several disks for itself, the server's export
   * for a network file system, {@code memory} for every memory file system. Paths with the same
   * key share a lane.
   */
  public String deviceKey() {
    return deviceKey;
  }

  /** The mount the path is on, or null if the mount table could not be read. */
  public MountInfo mount() {
    return mount;
  }

  /** How the probe decided, or why it could not. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return deviceClass + " (" + deviceKey + "): " + reason;
  }
}
