package dev.lanes.io;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One line of {@code /proc/self/mountinfo}: where a file system is mounted, what it is, and the
 * device it comes from.
 *
 * <pre>{@code
 * MountInfo mount = DeviceProbe.system().mountOf(Path.of("/var/log/syslog"));
 * System.out.println(mount.mountPoint() + " " + mount.fsType() + " " + mount.source());
 * }</pre>
 */
public final class MountInfo {

  private final int mountId;
  private final int parentId;
  private final int major;
  private final int minor;
  private final String root;
  private final Path mountPoint;
  private final String fsType;
  private final String source;
  private final String superOptions;

  MountInfo(int mountId, int parentId, int major, int minor, String root, Path mountPoint,
      String fsType, String source, String superOptions) {
    this.mountId = mountId;
    this.parentId = parentId;
    this.major = major;
    this.minor = minor;
    this.root = root;
    this.mountPoint = mountPoint;
    this.fsType = fsType;
    this.source = source;
    this.superOptions = superOptions;
  }

  /** The mount's id, unique among the mounts of this namespace. */
  public int mountId() {
    return mountId;
  }

  /** The id of the mount this one sits on. */
  public int parentId() {
    return parentId;
  }

  /** The major number of the device ({@code 0} for file systems without a block device). */
  public int major() {
    return major;
  }

  /** The minor number of the device. */
  public int minor() {
    return minor;
  }

  /** The directory of the file system that is mounted here; not {@code /} for a bind mount. */
  public String root() {
    return root;
  }

  /** Where it is mounted, escapes such as {@code \040} decoded. */
  public Path mountPoint() {
    return mountPoint;
  }

  /** The file system type, such as {@code ext4}, {@code nfs4} or {@code fuse.sshfs}. */
  public String fsType() {
    return fsType;
  }

  /** The mount source, such as {@code /dev/nvme0n1p2} or {@code server:/export}. */
  public String source() {
    return source;
  }

  /** The file system's own options, such as overlayfs's {@code upperdir=...}. */
  public String superOptions() {
    return superOptions;
  }

  /** The value of {@code key=value} among the super options, or null. */
  public String superOption(String key) {
    for (String option : splitOptions(superOptions)) {
      if (option.startsWith(key + "=")) {
        return option.substring(key.length() + 1);
      }
    }
    return null;
  }

  private static String[] splitOptions(String options) {
    return options.isEmpty() ? new String[0] : options.split(",");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MountInfo)) {
      return false;
    }
    MountInfo other = (MountInfo) o;
    return mountId == other.mountId && major == other.major && minor == other.minor
        && mountPoint.equals(other.mountPoint) && fsType.equals(other.fsType)
        && source.equals(other.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mountId, major, minor, mountPoint, fsType, source);
  }

  @Override
  public String toString() {
    return mountPoint + " (" + fsType + " from " + source + ", " + major + ":" + minor + ")";
  }
}
