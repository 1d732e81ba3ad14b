package dev.lanes.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
      "10.0.0.0/8,        10.255.1.2,         true",
      "10.0.0.0/8,        11.0.0.1,           false",
      "10.0.0.0/8,        ::ffff:10.1.2.3,    true",   // IPv4-mapped IPv6 is the IPv4 address
      "192.168.1.7,       192.168.1.7,        true",   // a single host
      "192.168.1.7,       192.168.1.8,        false",
      "192.168.1.7/32,    192.168.1.7,        true",
      "0.0.0.0/0,         203.0.113.9,        true",
      "0.0.0.0/0,         ::1,                false",  // every IPv4 address, no IPv6 one
      "172.16.0.0/12,     172.31.255.255,     true",
      "172.16.0.0/12,     172.32.0.0,         false",
      "fd00::/8,          fd12:3456::1,       true",
      "fd00::/8,          fe80::1,            false",
      "::1,               0:0:0:0:0:0:0:1,    true",   // the long form containers report
      "::1/128,           [::1],              true",
      "::/0,              2001:db8::1,        true",
      "::/0,              127.0.0.1,          false",
      "fe80::/10,         fe80::1%eth0,       true",   // a zone id is not part of the address
      "2001:db8::/32,     2001:db8:ffff::1,   true",
      "2001:db8::/32,     2001:db9::1,        false",
      "::ffff:10.0.0.0/104, 10.9.9.9,         true",   // an IPv4-mapped block is an IPv4 block
      "::ffff:10.0.0.0/104, 11.0.0.1,         false",
      "1:2:3:4:5:6:7:8,   1:2:3:4:5:6:7:8,    true",
      "1:2:3:4:5:6:7::,   1:2:3:4:5:6:7:0,    true",
      "::2:3:4:5:6:7:8,   0:2:3:4:5:6:7:8,    true",
      "64:ff9b::/96,      64:ff9b::c000:221,  true",
      "64:ff9b::/96,      64:ff9b::192.0.2.33, true",
  })
  void matchesAddressesInsideTheBlock(String block, String address, boolean inside) {
    assertThat(Cidr.parse(block).contains(Cidr.parseAddress(address))).isEqualTo(inside);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "localhost", "example.com", "deadbeef", "abc", "10.0.0", "10.0.0.0.1",
      "256.1.1.1", "1.2.3.-1", "01.2.3.4", "1.2.3.4 ", "1..2.3", "::1::", "1:::2", "12345::",
      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "::1.2.3", "1.2.3.4::", ":1", "1:",
      "unknown", "[::1", "10.0.0.1\u0000",
  })
  void refusesAnythingThatIsNotALiteralAndNeverLooksItUp(String text) {
    assertThat(Cidr.parseAddress(text)).as("'%s'", text).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.1/8      | has bits set past its /8 prefix",
      "10.0.0.0/33     | the prefix length must be 0 to 32",
      "fd00::/129      | the prefix length must be 0 to 128",
      "10.0.0.0/-1     | the prefix length",
      "10.0.0.0/       | the prefix length",
      "10.0.0.0/8x     | the prefix length",
      "example.com/8   | is not an IPv4 or IPv6 address",
      "::ffff:0:0/80   | mixes IPv4-mapped",
      "fd00::1/8       | has bits set past",
  })
  void refusesBadBlocksWithAMessageNamingThem(String block, String message) {
    assertThatThrownBy(() -> Cidr.parse(block))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(block.trim())
        .hasMessageContaining(message.trim());
  }

  @org.junit.jupiter.api.Test
  void aNullBlockIsAnError() {
    assertThatThrownBy(() -> Cidr.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
