package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenAddressTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      127.0.0.1:9292      | 127.0.0.1   | 9292
      0.0.0.0:80          | 0.0.0.0     | 80
      localhost:0         | localhost   | 0
      cache.example.org:1 | cache.example.org | 1
      [::1]:9292          | ::1         | 9292
      [::]:65535          | ::          | 65535
      [fe80::1%eth0]:8080 | fe80::1%eth0 | 8080
      ' 10.0.0.1:9292 '   | 10.0.0.1    | 9292
      """)
  void parsesHostAndPort(String text, String host, int port) {
    assertThat(ListenAddress.parse(text)).isEqualTo(new ListenAddress(host, port));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      127.0.0.1:65536 | port 65536 is out of range: must be 0 to 65535
      127.0.0.1:99999 | port 99999 is out of range: must be 0 to 65535
      127.0.0.1:http  | port "http" is not a number from 0 to 65535
      127.0.0.1:-1    | port "-1" is not a number from 0 to 65535
      127.0.0.1:      | port "" is not a number from 0 to 65535
      127.0.0.1       | expected HOST:PORT, for example 127.0.0.1:9292
      9292            | expected HOST:PORT, for example 127.0.0.1:9292
      :9292           | missing host before the port (0.0.0.0 listens on every IPv4 interface)
      ::1:9292        | an IPv6 address needs brackets, for example [::1]:9292
      [::1]9292       | expected [IPV6]:PORT, for example [::1]:9292
      [::1            | expected [IPV6]:PORT, for example [::1]:9292
      [localhost]:80  | "localhost" in brackets is not an IPv6 address
      bad_host:80     | "bad_host" is not a host name or IP address
      """)
  void rejectsWithAMessageSayingWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> ListenAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void toStringBracketsIpv6AndParsesBack() {
    ListenAddress ipv6 = new ListenAddress("::1", 9292);
    assertThat(ipv6).hasToString("[::1]:9292");
    assertThat(ListenAddress.parse(ipv6.toString())).isEqualTo(ipv6);
    assertThat(ListenAddress.DEFAULT).hasToString("127.0.0.1:9292");
  }

  @Test
  void socketAddressOfALiteralNeedsNoLookup() {
    assertThat(ListenAddress.parse("[::1]:9292").socketAddress().getAddress().isLoopbackAddress())
        .isTrue();
    assertThat(ListenAddress.parse("127.0.0.1:0").socketAddress().getPort()).isZero();
  }
}
