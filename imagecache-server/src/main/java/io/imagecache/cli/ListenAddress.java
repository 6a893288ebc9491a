package io.imagecache.cli;

import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * The address {@code serve} listens on: a host name or IP literal (IPv6 without brackets) and a
 * TCP port, where port 0 asks the system for any free port.
 */
public record ListenAddress(String host, int port) {

  // Initialised before DEFAULT, whose constructor uses them.
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
  private static final Pattern IPV6_LITERAL =
      Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");

  /** Where {@code serve} listens when nothing else is configured. */
  public static final ListenAddress DEFAULT = new ListenAddress("127.0.0.1", 9292);


  public ListenAddress {
    if (host == null
        || !(HOST_NAME.matcher(host).matches() || IPV6_LITERAL.matcher(host).matches())) {
      throw new IllegalArgumentException("invalid listen host \"" + host + "\"");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid listen port " + port + ": must be 0 to 65535");
    }
  }

  /**
   * Parses {@code HOST:PORT} or {@code [IPV6]:PORT}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static ListenAddress parse(String text) {
    String value = text.strip();
    String host;
    String port;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("expected [IPV6]:PORT, for example [::1]:9292");
      }
      host = value.substring(1, close);
      if (host.indexOf(':') < 0 || !IPV6_LITERAL.matcher(host).matches()) {
        throw new IllegalArgumentException("\"" + host + "\" in brackets is not an IPv6 address");
      }
      port = value.substring(close + 2);
    } else {
      int colon = value.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("expected HOST:PORT, for example 127.0.0.1:9292");
      }
      host = value.substring(0, colon);
      port = value.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "an IPv6 address needs brackets, for example [" + host + "]:" + port);
      }
      if (host.isEmpty()) {
        throw new IllegalArgumentException(
            "missing host before the port (0.0.0.0 listens on every IPv4 interface)");
      }
      if (!HOST_NAME.matcher(host).matches()) {
        throw new IllegalArgumentException("\"" + host + "\" is not a host name or IP address");
      }
    }
    return new ListenAddress(host, parsePort(port));
  }

  private static int parsePort(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("port \"" + text + "\" is not a number from 0 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range: must be 0 to 65535");
    }
    return port;
  }

  /** A socket address for binding; resolves the host name if it is not an IP literal. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code HOST:PORT}, with IPv6 literals in brackets; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
