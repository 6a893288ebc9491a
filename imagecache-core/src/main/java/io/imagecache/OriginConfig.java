package io.imagecache;

import io.imagecache.internal.origin.Origins;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Where a cache fetches what it does not hold, and how patiently.
 *
 * @param spec a directory path or {@code file:} URL, an {@code http(s)://…/{id}} template, or
 *     {@code glance+http(s)://host:port}
 * @param connectTimeout how long connecting may take
 * @param firstByteTimeout how long the origin may take to answer a request (headers)
 * @param idleTimeout how long a body may stall between two reads; there is no deadline for a
 *     whole body, which can take minutes
 * @param token the cache's own credential: a bearer token for HTTP origins, the
 *     {@code X-Auth-Token} of prefetches from a Glance origin (client requests send their own)
 * @param tls the TLS context for an HTTPS origin (trusted CAs, client certificate); empty for the
 *     JDK's default, the system's CAs
 */
public record OriginConfig(
    String spec, Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
    Optional<String> token, Optional<SSLContext> tls) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public OriginConfig {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tls, "tls");
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("firstByteTimeout", firstByteTimeout);
    requirePositive("idleTimeout", idleTimeout);
    if (spec.isBlank()) {
      throw new IllegalArgumentException("origin must not be empty");
    }
  }

  /** An origin trusting the system's CAs only, presenting no client certificate. */
  public OriginConfig(String spec, Duration connectTimeout, Duration firstByteTimeout,
      Duration idleTimeout, Optional<String> token) {
    this(spec, connectTimeout, firstByteTimeout, idleTimeout, token, Optional.empty());
  }

  /** A copy with the TLS context {@code tls} for HTTPS origins. */
  public OriginConfig withTls(Optional<SSLContext> tls) {
    return new OriginConfig(spec, connectTimeout, firstByteTimeout, idleTimeout, token, tls);
  }

  /** {@code spec} with the default timeouts and no token. */
  public static OriginConfig of(String spec) {
    return new OriginConfig(spec, DEFAULT_CONNECT_TIMEOUT, DEFAULT_FIRST_BYTE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT, Optional.empty());
  }

  /**
   * Checks an origin setting as opening a cache with it would (its form, the {@code {id}}
   * placeholder of an HTTP template, that a directory exists) without contacting anything, so a
   * command line can refuse it before it writes or starts anything.
   *
   * @throws IllegalArgumentException saying what is wrong with {@code spec} and what is expected
   */
  public static void check(String spec) {
    Origins.check(spec);
  }

  @Override
  public String toString() {
    return "OriginConfig[spec=" + spec + ", connectTimeout=" + connectTimeout
        + ", firstByteTimeout=" + firstByteTimeout + ", idleTimeout=" + idleTimeout
        + ", token=" + (token.isPresent() ? "(set)" : "(none)")
        + (tls.isPresent() ? ", tls=(own context)" : "") + "]";
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be > 0: " + Durations.format(value));
    }
  }
}
