package io.imagecache.internal.origin;

import io.imagecache.OriginConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How an origin is talked to: timeouts for connecting, for the response headers and for each body
 * read (never a whole-request deadline: a multi-GiB body takes minutes), an optional credential
 * of the cache's own whose token is sent as {@code Authorization: Bearer …} to HTTP template origins,
 * how often one download resumes a broken body with a range request (0: never), and over how
 * many connections at once a large image is fetched in segments ({@link SegmentedBody}; 1: one).
 *
 * <p>A Glance origin never sends the bearer token for a client: Glance sees the caller's own token,
 * so that Glance alone decides who may read which image. It sends it, as {@code X-Auth-Token}, only
 * for prefetches ({@link Origin#prefetchSource}), which the cache makes on its own behalf.
 */
public record OriginSettings(
    Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
    Optional<OriginConfig.Credential> credential, Optional<SSLContext> tls, int resumeAttempts,
    int connections) {
  private static final OriginSettings DEFAULTS = new OriginSettings(
      OriginConfig.DEFAULT_CONNECT_TIMEOUT, OriginConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
      OriginConfig.DEFAULT_IDLE_TIMEOUT, Optional.empty(), Optional.empty());

  public OriginSettings {
    if (resumeAttempts < 0) {
      throw new IllegalArgumentException("resume attempts must be >= 0, was " + resumeAttempts);
    }
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be >= 1, was " + connections);
    }
    requirePositive("connect timeout", connectTimeout);
    requirePositive("first byte timeout", firstByteTimeout);
    requirePositive("idle timeout", idleTimeout);
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(tls, "tls");
  }

  /** Settings fetching each body over one connection. */
  public OriginSettings(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
      Optional<OriginConfig.Credential> credential, Optional<SSLContext> tls, int resumeAttempts) {
    this(connectTimeout, firstByteTimeout, idleTimeout, credential, tls, resumeAttempts, 1);
  }

  /** Settings with the default resume attempts. */
  public OriginSettings(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
      Optional<OriginConfig.Credential> credential, Optional<SSLContext> tls) {
    this(connectTimeout, firstByteTimeout, idleTimeout, credential, tls,
        OriginConfig.DEFAULT_RESUME_ATTEMPTS);
  }

  /** Settings trusting the system's CAs only. */
  public OriginSettings(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
      Optional<OriginConfig.Credential> credential) {
    this(connectTimeout, firstByteTimeout, idleTimeout, credential, Optional.empty());
  }

  /** {@link OriginConfig}'s default timeouts, no bearer token. */
  public static OriginSettings defaults() {
    return DEFAULTS;
  }

  /** These settings with the three timeouts replaced. */
  public OriginSettings withTimeouts(Duration connect, Duration firstByte, Duration idle) {
    return new OriginSettings(connect, firstByte, idle, credential, tls, resumeAttempts,
        connections);
  }

  /** These settings with {@code token} as the bearer token for HTTP template origins. */
  public OriginSettings withBearerToken(String token) {
    HeaderValues.requireToken("bearer token", token);
    return withCredential(OriginConfig.Credential.fixed(token));
  }

  /** These settings with {@code credential} as the cache's own (renewing) credential. */
  public OriginSettings withCredential(OriginConfig.Credential credential) {
    return new OriginSettings(connectTimeout, firstByteTimeout, idleTimeout, Optional.of(credential),
        tls, resumeAttempts, connections);
  }

  /** These settings with the TLS context {@code tls} for HTTPS origins (empty: the JDK's default). */
  public OriginSettings withTls(Optional<SSLContext> tls) {
    return new OriginSettings(connectTimeout, firstByteTimeout, idleTimeout, credential, tls,
        resumeAttempts, connections);
  }

  /** These settings resuming a broken body up to {@code attempts} times (0: never). */
  public OriginSettings withResumeAttempts(int attempts) {
    return new OriginSettings(connectTimeout, firstByteTimeout, idleTimeout, credential, tls,
        attempts, connections);
  }

  /** These settings fetching a large image over up to {@code connections} connections at once. */
  public OriginSettings withConnections(int connections) {
    return new OriginSettings(connectTimeout, firstByteTimeout, idleTimeout, credential, tls,
        resumeAttempts, connections);
  }

  /** Shows the timeouts and whether a token is set, never the token itself. */
  @Override
  public String toString() {
    return "OriginSettings[connectTimeout=" + connectTimeout + ", firstByteTimeout=" + firstByteTimeout
        + ", idleTimeout=" + idleTimeout + ", bearerToken=" + (credential.isPresent() ? "(set)" : "(none)")
        + (tls.isPresent() ? ", tls=(own context)" : "")
        + (resumeAttempts == OriginConfig.DEFAULT_RESUME_ATTEMPTS ? "" : ", resumeAttempts=" + resumeAttempts)
        + (connections == 1 ? "" : ", connections=" + connections)
        + "]";
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
