package dev.lanes.servlet;

import java.util.Arrays;

/**
 * A block of IPv4 or IPv6 addresses, such as {@code 10.0.0.0/8} or {@code fd00::/8}, and the
 * parsing of address literals.
 *
 * <p>Parsing is done here, by hand, rather than with {@code InetAddress.getByName}: that method
 * resolves anything that is not a literal through DNS, and an address that comes off the network
 * must never cause a lookup. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is the IPv4
 * address it maps, so a container that reports IPv4 peers in IPv6 form still matches IPv4 blocks.
 */
final class Cidr {

  private final byte[] network;
  private final int prefixBits;
  private final String text;

  private Cidr(byte[] network, int prefixBits, String text) {
    this.network = network;
    this.prefixBits = prefixBits;
    this.text = text;
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address (a block of one).
   *
   * @throws IllegalArgumentException if the text is not a block, or has bits set past its prefix
   *     (a typo such as {@code 10.0.0.1/8} would otherwise trust a whole network)
   */
  static Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a trusted proxy block must not be null");
    }
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] address = parseAddress(addressText);
    if (address == null) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an IPv4 or IPv6 address or block (e.g. 10.0.0.0/8, fd00::/8)");
    }
    boolean ipv6Text = addressText.indexOf(':') >= 0;
    int width = ipv6Text ? 128 : 32;
    int prefix = width;
    if (slash >= 0) {
      String bits = trimmed.substring(slash + 1);
      prefix = parsePrefix(bits);
      if (prefix < 0 || prefix > width) {
        throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to "
            + width + ", was '" + bits + "'");
      }
    }
    if (address.length == 4 && ipv6Text) {
      prefix -= 96; // an IPv4-mapped block, now an IPv4 one
      if (prefix < 0) {
        throw new IllegalArgumentException("'" + text + "' mixes IPv4-mapped and other IPv6"
            + " addresses; give the IPv4 block, e.g. 10.0.0.0/8");
      }
    }
    byte[] masked = mask(address, prefix);
    if (!Arrays.equals(masked, address)) {
      throw new IllegalArgumentException("'" + text + "' has bits set past its /" + prefix
          + " prefix; write the network's first address, or a single host without a prefix");
    }
    return new Cidr(address, prefix, trimmed);
  }

  /** Whether {@code address}, a literal as {@code getRemoteAddr()} gives it, is in this block. */
  boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(address, prefixBits), network);
  }

  @Override
  public String toString() {
    return text;
  }

  /**
   * The bytes of an IPv4 or IPv6 literal: 4 for IPv4 and IPv4-mapped IPv6, 16 for other IPv6;
   * null if {@code text} is anything else. Accepts brackets ({@code [::1]}) and a zone
   * ({@code fe80::1%eth0}), which some containers report; never looks anything up.
   */
  static byte[] parseAddress(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return null;
    }
    String s = text;
    if (s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
      s = s.substring(1, s.length() - 1);
    }
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.indexOf(':') < 0) {
      return parseIpv4(s);
    }
    byte[] v6 = parseIpv6(s);
    return v6 == null ? null : unmapIpv4(v6);
  }

  private static byte[] parseIpv4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        // A leading zero would be octal to some parsers; refuse it rather than guess.
        if (digits == 1 && value == 0) {
          return null;
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        digits++;
        if (value > 255) {
          return null;
        }
      } else if (c == '.') {
        if (value < 0 || part == 4) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
        digits = 0;
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  private static byte[] parseIpv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String head = gap < 0 ? s : s.substring(0, gap);
    String tail = gap < 0 ? "" : s.substring(gap + 2);
    int[] headGroups = groups(head, gap < 0);
    int[] tailGroups = groups(tail, true);
    if (headGroups == null || tailGroups == null) {
      return null;
    }
    int total = headGroups.length + tailGroups.length;
    if (gap < 0 ? total != 8 : total > 7) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < headGroups.length; i++) {
      put(out, i, headGroups[i]);
    }
    for (int i = 0; i < tailGroups.length; i++) {
      put(out, 8 - tailGroups.length + i, tailGroups[i]);
    }
    return out;
  }

  /**
   * The 16-bit groups of one side of {@code ::}; an IPv4 tail counts as two groups and is
   * allowed only at the very end ({@code lastSide}).
   */
  private static int[] groups(String side, boolean lastSide) {
    if (side.isEmpty()) {
      return new int[0];
    }
    String[] parts = side.split(":", -1);
    int v4 = parts[parts.length - 1].indexOf('.') >= 0 ? 1 : 0;
    if (v4 == 1 && !lastSide) {
      return null;
    }
    int[] out = new int[parts.length + v4];
    for (int i = 0; i < parts.length - v4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) {
          return null;
        }
        value = value * 16 + d;
      }
      out[i] = value;
    }
    if (v4 == 1) {
      byte[] ipv4 = parseIpv4(parts[parts.length - 1]);
      if (ipv4 == null) {
        return null;
      }
      out[parts.length - 1] = (ipv4[0] & 0xff) << 8 | (ipv4[1] & 0xff);
      out[parts.length] = (ipv4[2] & 0xff) << 8 | (ipv4[3] & 0xff);
    }
    return out;
  }

  private static void put(byte[] out, int group, int value) {
    out[2 * group] = (byte) (value >>> 8);
    out[2 * group + 1] = (byte) value;
  }

  private static byte[] unmapIpv4(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return v6;
      }
    }
    if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
      return v6;
    }
    return Arrays.copyOfRange(v6, 12, 16);
  }

  private static int parsePrefix(String bits) {
    if (bits.isEmpty() || bits.length() > 3) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < bits.length(); i++) {
      char c = bits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static byte[] mask(byte[] address, int prefixBits) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefixBits - 8 * i));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }
}
