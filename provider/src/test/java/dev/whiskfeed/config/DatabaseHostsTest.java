package dev.whiskfeed.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** WHISKFEED_DATABASE_HOSTS: names, *.suffix and CIDR blocks; the address check; bad entries. */
class DatabaseHostsTest {
  private static final DatabaseHosts RULES = DatabaseHosts.parse(
      "db.example.com, *.internal.example, 10.0.0.0/8, 192.168.1.7, fd00::/8");

  @ParameterizedTest
  @CsvSource({
      "db.example.com, true",
      "DB.Example.COM., true",
      "other.example.com, false",
      "a.internal.example, true",
      "a.b.internal.example, true",
      "internal.example, false",
      "evilinternal.example, false",
      "internal.example.evil.com, false",
      "10.1.2.3, true",
      "11.1.2.3, false",
      "192.168.1.7, true",
      "192.168.1.8, false",
      "[fd12::1], true",
      "[fe80::1], false",
      "localhost, false"})
  void namesMatchExactlyOrBelowAWildcardAndLiteralsByTheirBlock(String host, boolean allowed) {
    assertThat(RULES.allowsName(host)).isEqualTo(allowed);
  }

  @Test
  void withCidrEntriesEveryResolvedAddressMustLieInOne() throws Exception {
    InetAddress inside = InetAddress.getByName("10.9.9.9");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    assertThat(RULES.checksAddresses()).isTrue();
    assertThat(RULES.allowsAddresses(List.of(inside))).isTrue();
    assertThat(RULES.allowsAddresses(List.of(inside, loopback))).isFalse();
    assertThat(RULES.allowsAddresses(List.of())).isFalse();
    // an IPv4-mapped IPv6 address is the IPv4 address
    assertThat(RULES.allowsAddress(InetAddress.getByName("::ffff:10.0.0.1"))).isTrue();
    assertThat(RULES.allowsAddress(InetAddress.getByName("::ffff:127.0.0.1"))).isFalse();
  }

  @Test
  void withoutCidrEntriesTheNameDecides() throws Exception {
    DatabaseHosts names = DatabaseHosts.parse("localhost,127.0.0.1");
    assertThat(names.checksAddresses()).isFalse();
    assertThat(names.allowsName("localhost")).isTrue();
    assertThat(names.allowsName("127.0.0.1")).isTrue();
    assertThat(names.allowsName("127.0.0.2")).isFalse();
    assertThat(DatabaseHosts.parse("").isEmpty()).isTrue();
  }

  @Test
  void blockBoundariesAreExact() throws Exception {
    DatabaseHosts r = DatabaseHosts.parse("172.16.0.0/12,0.0.0.0/0");
    assertThat(r.blocks().get(0).contains(InetAddress.getByName("172.31.255.255"))).isTrue();
    assertThat(r.blocks().get(0).contains(InetAddress.getByName("172.32.0.0"))).isFalse();
    assertThat(r.blocks().get(1).contains(InetAddress.getByName("8.8.8.8"))).isTrue();
    assertThat(r.blocks().get(1).contains(InetAddress.getByName("::1"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/33        | '10.0.0.0/33' is not a host name, *.domain or CIDR block",
      "db.example/8       | 'db.example/8' is not a host name, *.domain or CIDR block",
      "*.                 | '*.' is not a host name, *.domain or CIDR block",
      "db..example        | 'db..example' is not a host name, *.domain or CIDR block",
      "http://db          | 'http://db' is not a host name, *.domain or CIDR block"})
  void aBadEntryStopsStartUpNamingIt(String value, String problem) {
    assertThatThrownBy(() -> Config.from(Map.of("WHISKFEED_DATABASE_HOSTS", value)))
        .isInstanceOf(ConfigException.class).hasMessage("WHISKFEED_DATABASE_HOSTS: " + problem);
  }
}
