package io.imagecache.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What the server allows a client: how long a request head may take to arrive, how long a
 * keep-alive connection may sit idle, how long a response may make no progress because the
 * client stopped reading, how many connections may be open, and how big a request head may be.
 *
 * @param headerTimeout from the accept, or from the first byte of a later request, until the
 *     request head is complete; a head sent too slowly is closed
 * @param idleTimeout from the end of a response until the first byte of the next request
 * @param writeStallTimeout how long a response being sent may make no progress at all (the
 *     client reads nothing); a slow but steady download is never cut
 * @param maxConnections open connections beyond which a new one gets a short 503
 * @param maxHeaderSize bytes of request headers (431 beyond); the request line has its own
 *     bound of 8 KiB (414 beyond)
 */
public record ClientLimits(Duration headerTimeout, Duration idleTimeout,
    Duration writeStallTimeout, int maxConnections, int maxHeaderSize) {

  /** 30 s, 60 s, 5 min, 10 000 connections, 32 KiB of headers. */
  public static final ClientLimits DEFAULT = new ClientLimits(Duration.ofSeconds(30),
      Duration.ofSeconds(60), Duration.ofMinutes(5), 10_000, 32 * 1024);
  /** Upper bound for {@link #maxConnections}. */
  public static final int MAX_CONNECTIONS = 1_000_000;
  /** Bounds for {@link #maxHeaderSize}: 1 KiB to 1 MiB. */
  public static final int MIN_HEADER_SIZE = 1024;
  public static final int MAX_HEADER_SIZE = 1024 * 1024;

  public ClientLimits {
    requirePositive(Objects.requireNonNull(headerTimeout, "headerTimeout"), "headerTimeout");
    requirePositive(Objects.requireNonNull(idleTimeout, "idleTimeout"), "idleTimeout");
    requirePositive(Objects.requireNonNull(writeStallTimeout, "writeStallTimeout"),
        "writeStallTimeout");
    if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "maxConnections must be 1 to " + MAX_CONNECTIONS + ": " + maxConnections);
    }
    if (maxHeaderSize < MIN_HEADER_SIZE || maxHeaderSize > MAX_HEADER_SIZE) {
      throw new IllegalArgumentException("maxHeaderSize must be " + MIN_HEADER_SIZE + " to "
          + MAX_HEADER_SIZE + ": " + maxHeaderSize);
    }
  }

  /** A copy with {@code headerTimeout} instead. */
  public ClientLimits withHeaderTimeout(Duration headerTimeout) {
    return new ClientLimits(headerTimeout, idleTimeout, writeStallTimeout, maxConnections,
        maxHeaderSize);
  }

  /** A copy with {@code idleTimeout} instead. */
  public ClientLimits withIdleTimeout(Duration idleTimeout) {
    return new ClientLimits(headerTimeout, idleTimeout, writeStallTimeout, maxConnections,
        maxHeaderSize);
  }

  /** A copy with {@code writeStallTimeout} instead. */
  public ClientLimits withWriteStallTimeout(Duration writeStallTimeout) {
    return new ClientLimits(headerTimeout, idleTimeout, writeStallTimeout, maxConnections,
        maxHeaderSize);
  }

  /** A copy with {@code maxConnections} instead. */
  public ClientLimits withMaxConnections(int maxConnections) {
    return new ClientLimits(headerTimeout, idleTimeout, writeStallTimeout, maxConnections,
        maxHeaderSize);
  }

  /** A copy with {@code maxHeaderSize} instead. */
  public ClientLimits withMaxHeaderSize(int maxHeaderSize) {
    return new ClientLimits(headerTimeout, idleTimeout, writeStallTimeout, maxConnections,
        maxHeaderSize);
  }

  private static void requirePositive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be longer than 0: " + duration);
    }
  }
}
