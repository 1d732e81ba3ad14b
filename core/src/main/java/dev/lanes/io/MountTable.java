package dev.lanes.io;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/self/mountinfo}. Each line reads
 * {@code id parent major:minor root mount-point options [optional fields...] - type source
 * super-options}; the optional fields run until a lone {@code -}, and spaces, tabs, newlines and
 * backslashes in paths are written as octal escapes ({@code \040}).
 */
final class MountTable {

  private final List<MountInfo> mounts;
  private final List<String> skipped;

  private MountTable(List<MountInfo> mounts, List<String> skipped) {
    this.mounts = mounts;
    this.skipped = skipped;
  }

  static MountTable parse(List<String> lines) {
    List<MountInfo> mounts = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      MountInfo mount = parseLine(line);
      if (mount == null) {
        skipped.add(line);
      } else {
        mounts.add(mount);
      }
    }
    return new MountTable(List.copyOf(mounts), List.copyOf(skipped));
  }

  List<MountInfo> mounts() {
    return mounts;
  }

  /** Lines that did not parse. */
  List<String> skipped() {
    return skipped;
  }

  /**
   * The mount whose mount point is the longest prefix of {@code realPath}; of several at the same
   * point, the last, which hides the others. Null if none matches.
   */
  MountInfo longestPrefix(Path realPath) {
    MountInfo best = null;
    for (MountInfo mount : mounts) {
      if (realPath.startsWith(mount.mountPoint())
          && (best == null
              || mount.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
        best = mount;
      }
    }
    return best;
  }

  private static MountInfo parseLine(String line) {
    String[] f = line.trim().split(" ");
    int separator = -1;
    for (int i = 6; i < f.length; i++) {
      if (f[i].equals("-")) {
        separator = i;
        break;
      }
    }
    if (f.length < 7 || separator < 0 || separator + 2 >= f.length) {
      return null;
    }
    try {
      String[] device = f[2].split(":");
      return new MountInfo(
          Integer.parseInt(f[0]), Integer.parseInt(f[1]),
          Integer.parseInt(device[0]), Integer.parseInt(device[1]),
          unescape(f[3]), Paths.get(unescape(f[4])),
          unescape(f[separator + 1]), unescape(f[separator + 2]),
          separator + 3 < f.length ? unescape(f[separator + 3]) : "");
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  /** Decodes the kernel's octal escapes: {@code \040} space, {@code \011} tab, {@code \134}. */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
