package dev.lanes.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells which device a path lives on and what kind of device that is, from
 * {@code /proc/self/mountinfo} and {@code /sys}. {@link #at(Path)} reads the same files under
 * another root, and then looks up every path under that root as well, which is how tests probe
 * machines they are not running on.
 *
 * <pre>{@code
 * DeviceProbe probe = DeviceProbe.system();
 * Classification c = probe.classification(Path.of("/var/lib/postgres"));
 * Lane disk = c.deviceClass().size(Lane.builder("disk:" + c.deviceKey())).build();
 * }</pre>
 *
 * <p>Classification never throws: anything it cannot read makes the device
 * {@link DeviceClass#UNKNOWN}, with the reason in {@link Classification#reason()}. The mount table
 * is read again when it is more than a few seconds old, so mounts made while the program runs are
 * seen; classifications are kept per mount until then, so probing a path costs a real-path lookup
 * and a prefix search.
 */
public final class DeviceProbe {

  private static final long TABLE_TTL_NANOS = 5_000_000_000L;
  private static final int MAX_LINKS = 40;

  private static final Set<String> NETWORK_TYPES = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs",
      "ceph", "glusterfs", "fuse.glusterfs", "fuse.sshfs", "sshfs", "fuse.ceph", "9p", "afs",
      "lustre", "gpfs", "beegfs", "fuse.s3fs", "fuse.rclone", "fuse.gcsfuse", "fuse.juicefs",
      "davfs", "fuse.davfs2", "ncpfs", "coda");
  private static final Set<String> MEMORY_TYPES = Set.of("tmpfs", "ramfs", "devtmpfs",
      "hugetlbfs");

  private final Path root;
  private final boolean systemRoot;
  private final SysBlock sysBlock;
  private volatile Loaded table;
  /** Classifications per mount, for as long as the mount table they come from. */
  private final Map<MountInfo, Classification> classified = new ConcurrentHashMap<>();

  private DeviceProbe(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.systemRoot = this.root.getParent() == null;
    this.sysBlock = new SysBlock(this.root.resolve("sys"), file -> classification(Paths.get(file)));
  }

  /** The probe of this machine: {@code /proc/self/mountinfo} and {@code /sys}. */
  public static DeviceProbe system() {
    return new DeviceProbe(Paths.get("/"));
  }

  /**
   * A probe of the system laid out under {@code root}: {@code root/proc/self/mountinfo},
   * {@code root/sys/...}, and every path looked up under {@code root}.
   */
  public static DeviceProbe at(Path root) {
    return new DeviceProbe(Objects.requireNonNull(root, "root"));
  }

  /**
   * The mount {@code path} is on: the mount whose mount point is the longest prefix of the path
   * with every symbolic link resolved. A path that does not exist yet is placed by its nearest
   * existing parent.
   *
   * @throws UncheckedIOException if the mount table cannot be read
   * @throws IllegalStateException if no mount covers the path
   */
  public MountInfo mountOf(Path path) {
    Path real = realPath(path);
    MountInfo mount = table().longestPrefix(real);
    if (mount == null) {
      throw new IllegalStateException("no mount in " + mountinfo() + " covers " + real);
    }
    return mount;
  }

  /** The class of device {@code path} is on; {@link DeviceClass#UNKNOWN} if it cannot tell. */
  public DeviceClass classify(Path path) {
    return classification(path).deviceClass();
  }

  /** What {@code path} is on, the device that saturates, and why; never throws. */
  public Classification classification(Path path) {
    MountInfo mount;
    try {
      mount = mountOf(path);
    } catch (RuntimeException e) {
      return SysBlock.unknown(null, "cannot place " + path + ": " + e.getMessage());
    }
    Classification known = classified.get(mount);
    if (known != null) {
      return known;
    }
    Classification fresh;
    try {
      fresh = classify(mount, 0);
    } catch (RuntimeException e) {
      fresh = SysBlock.unknown(mount, "cannot classify " + mount + ": " + e);
    }
    classified.put(mount, fresh);
    return fresh;
  }

  private Classification classify(MountInfo mount, int depth) {
    String type = mount.fsType();
    if (NETWORK_TYPES.contains(type)) {
      return new Classification(DeviceClass.NETWORK_FS, type + ":" + mount.source(), mount,
          mount.mountPoint() + " is " + type + " from " + mount.source());
    }
    if (MEMORY_TYPES.contains(type)) {
      return new Classification(DeviceClass.MEMORY, "memory", mount,
          mount.mountPoint() + " is " + type + ", in memory");
    }
    if (type.equals("overlay")) {
      return overlay(mount, depth);
    }
    if (mount.major() != 0) {
      return sysBlock.byNumber(mount.major(), mount.minor(), mount);
    }
    // Btrfs and a few others report an anonymous device number; the source names the device.
    if (mount.source().startsWith("/dev/")) {
      String name = realDeviceName(mount.source());
      return sysBlock.byName(name, mount);
    }
    return SysBlock.unknown(mount, mount.mountPoint() + " is " + type + " from "
        + mount.source() + ", which has no block device");
  }

  /** An overlay is as fast as the device of its upper directory, where writes land. */
  private Classification overlay(MountInfo mount, int depth) {
    String upper = mount.superOption("upperdir");
    if (upper == null) {
      String lower = mount.superOption("lowerdir");
      upper = lower == null ? null : lower.split(":")[0];
    }
    if (upper == null || depth > 4) {
      return SysBlock.unknown(mount, "overlay at " + mount.mountPoint() + " without upperdir");
    }
    Classification under = classification(Paths.get(upper));
    return new Classification(under.deviceClass(), under.deviceKey(), mount,
        "overlay with upperdir " + upper + ", on " + under.reason());
  }

  private String realDeviceName(String source) {
    Path node = inRoot(Paths.get(source));
    try {
      if (Files.isSymbolicLink(node)) {
        return realPath(Paths.get(source)).getFileName().toString();
      }
    } catch (RuntimeException e) {
      // fall through to the name as written
    }
    return node.getFileName().toString();
  }

  private MountTable table() {
    Loaded loaded = table;
    long now = System.nanoTime();
    if (loaded == null || now - loaded.at > TABLE_TTL_NANOS) {
      try {
        loaded = new Loaded(MountTable.parse(Files.readAllLines(mountinfo())), now);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the mount table " + mountinfo(), e);
      }
      if (loaded.table.mounts().isEmpty()) {
        throw new IllegalStateException("the mount table " + mountinfo() + " has no mounts");
      }
      table = loaded;
      classified.clear();
    }
    return loaded.table;
  }

  private Path mountinfo() {
    return root.resolve("proc/self/mountinfo");
  }

  /** {@code path} of the probed system, as a path of this machine. */
  private Path inRoot(Path path) {
    Path absolute = path.isAbsolute() ? path : Paths.get("/").resolve(path);
    return systemRoot ? absolute : root.resolve(Paths.get("/").relativize(absolute));
  }

  /**
   * {@code path} with every symbolic link resolved, as the probed system sees it. Links are
   * followed by hand under a foreign root, so that an absolute link target stays in that root.
   * What does not exist yet is kept as written, under its nearest existing parent.
   */
  Path realPath(Path path) {
    Path absolute = (path.isAbsolute() ? path : Paths.get("/").resolve(path)).normalize();
    if (systemRoot) {
      Path existing = absolute;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      try {
        Path real = existing == null ? Paths.get("/") : existing.toRealPath();
        return existing == null ? absolute : real.resolve(existing.relativize(absolute));
      } catch (IOException e) {
        return absolute;
      }
    }
    return followUnderRoot(absolute);
  }

  private Path followUnderRoot(Path absolute) {
    Path resolved = Paths.get("/");
    java.util.Deque<String> pending = new java.util.ArrayDeque<>();
    for (Path name : absolute) {
      pending.add(name.toString());
    }
    int links = 0;
    while (!pending.isEmpty()) {
      String name = pending.poll();
      if (name.equals("..")) {
        resolved = resolved.getParent() == null ? resolved : resolved.getParent();
        continue;
      }
      Path next = resolved.resolve(name);
      Path here = inRoot(next);
      if (Files.isSymbolicLink(here) && links++ < MAX_LINKS) {
        try {
          Path target = Files.readSymbolicLink(here);
          java.util.Deque<String> rest = new java.util.ArrayDeque<>();
          for (Path part : target) {
            rest.add(part.toString());
          }
          rest.addAll(pending);
          pending = rest;
          if (target.isAbsolute()) {
            resolved = Paths.get("/");
          }
          continue;
        } catch (IOException e) {
          // unreadable link: keep the name as it is
        }
      }
      resolved = next;
      if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
        // Does not exist (yet): the rest of the path is kept as written.
        for (String rest : pending) {
          resolved = resolved.resolve(rest);
        }
        return resolved.normalize();
      }
    }
    return resolved;
  }

  @Override
  public String toString() {
    return systemRoot ? "DeviceProbe[system]" : "DeviceProbe[" + root + "]";
  }

  private static final class Loaded {
    final MountTable table;
    final long at;

    Loaded(MountTable table, long at) {
      this.table = table;
      this.at = at;
    }
  }
}
