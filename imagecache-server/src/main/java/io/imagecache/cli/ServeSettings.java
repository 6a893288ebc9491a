package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.server.ClientLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code imagecache serve} runs with, validated as a whole.
 *
 * @param cache the cache directory, driver, limits and durability
 * @param listen the HTTP listen address
 * @param origin the ORIGIN spec where misses are fetched from (parsed by the server), if any
 * @param adminToken the token management calls must send in {@code X-Auth-Token}, if configured;
 *     {@code serve} fills it from {@code <cache-dir>/admin-token} before starting the server
 * @param originTimeouts how long to wait on the origin
 * @param originToken the cache's own credential for the origin: a bearer token for HTTP origins,
 *     the {@code X-Auth-Token} of prefetches and management checks for a Glance origin
 * @param blockingThreads threads for calls that may block (metadata queries, waiting on fills)
 * @param shutdownGrace how long a stop (SIGTERM) lets the requests being answered finish
 * @param clientLimits the timeouts, connection limit and header size clients are held to
 * @param readyzOrigin whether {@code /readyz} also asks the origin
 * @param tls the TLS listener, if any, and how HTTPS origins are checked
 * @param keystone the Keystone that judges management calls' tokens and may issue the origin
 *     token, if any
 * @param originFetch which offered digests fills verify, and how often they resume a broken body
 */
public record ServeSettings(
    CacheConfig cache,
    ListenAddress listen,
    Optional<String> origin,
    Optional<String> adminToken,
    OriginTimeouts originTimeouts,
    Optional<String> originToken,
    int blockingThreads,
    Duration shutdownGrace,
    ClientLimits clientLimits,
    boolean readyzOrigin,
    TlsSettings tls,
    Optional<KeystoneSettings> keystone,
    OriginFetch originFetch) {

  /** Default size of the pool for blocking calls. */
  public static final int DEFAULT_BLOCKING_THREADS = 16;
  /** Upper bound for {@link #blockingThreads}, far beyond any useful value. */
  public static final int MAX_BLOCKING_THREADS = 4096;
  /** Default of {@link #shutdownGrace}. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  public ServeSettings {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(adminToken, "adminToken");
    Objects.requireNonNull(originTimeouts, "originTimeouts");
    Objects.requireNonNull(originToken, "originToken");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(clientLimits, "clientLimits");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(keystone, "keystone");
    Objects.requireNonNull(originFetch, "originFetch");
    if (originToken.isPresent() && keystone.flatMap(KeystoneSettings::originLogin).isPresent()) {
      throw new IllegalArgumentException("originToken and a Keystone origin login exclude each other");
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative: " + shutdownGrace);
    }
    originToken.ifPresent(ServeSettings::requireToken);
    origin.ifPresent(spec -> {
      if (spec.isBlank()) {
        throw new IllegalArgumentException("origin must not be blank");
      }
    });
    adminToken.ifPresent(ServeSettings::requireToken);
    if (blockingThreads < 1 || blockingThreads > MAX_BLOCKING_THREADS) {
      throw new IllegalArgumentException(
          "blockingThreads must be 1 to " + MAX_BLOCKING_THREADS + ": " + blockingThreads);
    }
  }

  /** Without Keystone, fetching with {@link OriginFetch#DEFAULT}. */
  public ServeSettings(CacheConfig cache, ListenAddress listen, Optional<String> origin,
      Optional<String> adminToken, OriginTimeouts originTimeouts, Optional<String> originToken,
      int blockingThreads, Duration shutdownGrace, ClientLimits clientLimits,
      boolean readyzOrigin, TlsSettings tls) {
    this(cache, listen, origin, adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, Optional.empty(), OriginFetch.DEFAULT);
  }

  /** The defaults around {@code cache}: 127.0.0.1:9292, no origin, no token, default timeouts. */
  public static ServeSettings defaults(CacheConfig cache) {
    return new ServeSettings(cache, ListenAddress.DEFAULT, Optional.empty(), Optional.empty(),
        OriginTimeouts.DEFAULT, Optional.empty(), DEFAULT_BLOCKING_THREADS,
        DEFAULT_SHUTDOWN_GRACE, ClientLimits.DEFAULT, false, TlsSettings.NONE, Optional.empty(),
        OriginFetch.DEFAULT);
  }

  /** The defaults with a default-configured cache in {@code cacheDir}. */
  public static ServeSettings defaults(Path cacheDir) {
    return defaults(CacheConfig.defaults(cacheDir));
  }

  /** A copy with {@code cache} instead. */
  public ServeSettings withCache(CacheConfig cache) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy listening on {@code listen} instead. */
  public ServeSettings withListen(ListenAddress listen) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy fetching misses from the ORIGIN spec {@code origin}. */
  public ServeSettings withOrigin(String origin) {
    return new ServeSettings(
        cache, listen, Optional.of(origin), adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy with the admin token {@code token}. */
  public ServeSettings withAdminToken(String token) {
    return new ServeSettings(
        cache, listen, origin, Optional.of(token), originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy with {@code originTimeouts} instead. */
  public ServeSettings withOriginTimeouts(OriginTimeouts originTimeouts) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy with a pool of {@code blockingThreads} for blocking calls. */
  public ServeSettings withBlockingThreads(int blockingThreads) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken, blockingThreads,
        shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy that lets requests finish for {@code shutdownGrace} on a stop. */
  public ServeSettings withShutdownGrace(Duration shutdownGrace) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy holding clients to {@code clientLimits}. */
  public ServeSettings withClientLimits(ClientLimits clientLimits) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy whose {@code /readyz} asks the origin too, or not. */
  public ServeSettings withReadyzOrigin(boolean readyzOrigin) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy with {@code tls} instead. */
  public ServeSettings withTls(TlsSettings tls) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy with {@code keystone} instead. */
  public ServeSettings withKeystone(Optional<KeystoneSettings> keystone) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** A copy fetching origin bodies as {@code originFetch} says. */
  public ServeSettings withOriginFetch(OriginFetch originFetch) {
    return new ServeSettings(cache, listen, origin, adminToken, originTimeouts, originToken,
        blockingThreads, shutdownGrace, clientLimits, readyzOrigin, tls, keystone, originFetch);
  }

  /** Like the record's own, but never shows the admin token. */
  @Override
  public String toString() {
    return "ServeSettings[cache=" + cache + ", listen=" + listen + ", origin=" + origin
        + ", adminToken=" + adminToken.map(token -> "<redacted>") + ", originTimeouts="
        + originTimeouts + ", originToken=" + originToken.map(token -> "<redacted>")
        + ", blockingThreads=" + blockingThreads + ", shutdownGrace=" + shutdownGrace
        + ", clientLimits=" + clientLimits + ", readyzOrigin=" + readyzOrigin
        + ", tls=" + tls + ", keystone=" + keystone
        + ", originFetch=" + originFetch + "]";
  }

  /** Returns {@code token} if it can go into an HTTP header: visible ASCII, no spaces. */
  static String requireToken(String token) {
    if (!isValidToken(token)) {
      throw new IllegalArgumentException(
          "admin token must be non-empty visible ASCII without spaces (it is sent in a header)");
    }
    return token;
  }

  static boolean isValidToken(String token) {
    return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }
}
