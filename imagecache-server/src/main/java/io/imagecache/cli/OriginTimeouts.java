package io.imagecache.cli;

import io.imagecache.Durations;
import io.imagecache.OriginConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How long {@code serve} waits on an origin: to connect, for the first byte of a response, and
 * between two reads of a body once it flows. Each is positive.
 */
public record OriginTimeouts(Duration connect, Duration firstByte, Duration idle) {

  /** {@link OriginConfig}'s defaults. */
  public static final OriginTimeouts DEFAULT = new OriginTimeouts(
      OriginConfig.DEFAULT_CONNECT_TIMEOUT, OriginConfig.DEFAULT_FIRST_BYTE_TIMEOUT,
      OriginConfig.DEFAULT_IDLE_TIMEOUT);

  public OriginTimeouts {
    requirePositive("connect", connect);
    requirePositive("firstByte", firstByte);
    requirePositive("idle", idle);
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "origin " + name + " timeout must be > 0: " + Durations.format(value));
    }
  }
}
