package io.imagecache.cli;

import io.imagecache.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How long {@code serve} waits on an origin: to connect, for the first byte of a response, and
 * between two reads of a body once it flows. Each is positive.
 */
public record OriginTimeouts(Duration connect, Duration firstByte, Duration idle) {

  /** Connect 10 s, first byte 30 s, idle 60 s. */
  public static final OriginTimeouts DEFAULT =
      new OriginTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

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
