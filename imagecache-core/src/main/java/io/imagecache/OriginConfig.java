package io.imagecache;

import io.imagecache.internal.origin.Origins;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
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
 * @param credential instead of {@code token}, a credential that renews its token (Keystone)
 * @param tls the TLS context for an HTTPS origin (trusted CAs, client certificate); empty for the
 *     JDK's default, the system's CAs
 * @param verify which of the offered digests a fill verifies
 * @param resumeAttempts how often one fill resumes a broken body with a range request (0: never)
 * @param connections over how many connections at once a fill fetches a large image in segments
 *     when the origin allows range requests (1: one connection)
 */
public record OriginConfig(
    String spec, Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
    Optional<String> token, Optional<Credential> credential, Optional<SSLContext> tls,
    Verify verify, int resumeAttempts, int connections) {
  public static final int DEFAULT_RESUME_ATTEMPTS = 5;

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The cache's own credential for its origin, asked for the token to send before each request it
   * makes on its own behalf; a renewing one (e.g. Keystone) obtains a new token when the current
   * one nears its expiry or the origin refused it.
   */
  public interface Credential {

    /** The token to send now; may block while a new one is obtained. */
    String token() throws IOException;

    /** The origin answered 401 to {@code token}: the next {@link #token()} should be a new one. */
    default void refused(String token) {}

    /** A token that never changes (the {@code origin-token} option). */
    static Credential fixed(String token) {
      Objects.requireNonNull(token, "token");
      return new Credential() {
        @Override
        public String token() {
          return token;
        }

        @Override
        public String toString() {
          return "fixed origin token";
        }
      };
    }
  }

  public OriginConfig {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(tls, "tls");
    if (token.isPresent() && credential.isPresent()) {
      throw new IllegalArgumentException("an origin token and a renewing credential exclude each other");
    }
    Objects.requireNonNull(verify, "verify");
    if (resumeAttempts < 0) {
      throw new IllegalArgumentException("resumeAttempts must be >= 0: " + resumeAttempts);
    }
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be >= 1: " + connections);
    }
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("firstByteTimeout", firstByteTimeout);
    requirePositive("idleTimeout", idleTimeout);
    if (spec.isBlank()) {
      throw new IllegalArgumentException("origin must not be empty");
    }
  }

  /**
   * A fixed {@code token}, or none; an origin trusting the system's CAs only, presenting no client
   * certificate.
   */
  public OriginConfig(String spec, Duration connectTimeout, Duration firstByteTimeout,
      Duration idleTimeout, Optional<String> token) {
    this(spec, connectTimeout, firstByteTimeout, idleTimeout, token, Optional.empty(),
        Optional.empty(), Verify.STRONGEST, DEFAULT_RESUME_ATTEMPTS, 1);
  }

  /** A copy with the TLS context {@code tls} for HTTPS origins. */
  public OriginConfig withTls(Optional<SSLContext> tls) {
    return new OriginConfig(spec, connectTimeout, firstByteTimeout, idleTimeout, token, credential,
        tls, verify, resumeAttempts, connections);
  }

  /** A copy sending the token of the renewing {@code credential} instead of a fixed token. */
  public OriginConfig withCredential(Optional<Credential> credential) {
    return new OriginConfig(spec, connectTimeout, firstByteTimeout, idleTimeout,
        credential.isPresent() ? Optional.empty() : token, credential, tls, verify, resumeAttempts,
        connections);
  }

  /** A copy verifying as {@code verify} says, resuming a broken body up to {@code attempts} times. */
  public OriginConfig withFetch(Verify verify, int attempts) {
    return new OriginConfig(spec, connectTimeout, firstByteTimeout, idleTimeout, token, credential,
        tls, verify, attempts, connections);
  }

  /** A copy fetching a large image over up to {@code connections} connections at once. */
  public OriginConfig withConnections(int connections) {
    return new OriginConfig(spec, connectTimeout, firstByteTimeout, idleTimeout, token, credential,
        tls, verify, resumeAttempts, connections);
  }

  /** The credential the cache sends: the renewing one, else the fixed token, else none. */
  public Optional<Credential> ownCredential() {
    return credential.isPresent() ? credential : token.map(Credential::fixed);
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
        + ", credential=" + credential.map(Object::toString).orElse("(none)")
        + (tls.isPresent() ? ", tls=(own context)" : "")
        + (verify == Verify.STRONGEST ? "" : ", verify=" + verify.optionValue())
        + (resumeAttempts == DEFAULT_RESUME_ATTEMPTS ? "" : ", resumeAttempts=" + resumeAttempts)
        + (connections == 1 ? "" : ", connections=" + connections)
        + "]";
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be > 0: " + Durations.format(value));
    }
  }

  /** Which of the digests an origin offers a fill verifies before it commits (option {@code verify}). */
  public enum Verify {
    /**
     * The strongest offered digest (sha-512 > sha-384 > sha-256 > sha-1 > md5) and the size; the
     * others are kept as the origin's word (an offered MD5 is still served as {@code Content-MD5}).
     */
    STRONGEST,
    /** Every offered digest and the size. */
    ALL;

    /** The option's spelling: {@code strongest} or {@code all}. */
    public String optionValue() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code strongest} or {@code all} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Verify parse(String text) {
      for (Verify policy : values()) {
        if (policy.optionValue().equalsIgnoreCase(text.strip())) {
          return policy;
        }
      }
      throw new IllegalArgumentException("verify must be strongest or all, was \"" + text + "\"");
    }
  }
}
