package io.imagecache.internal.store.sqlite;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Glance's timestamps: float seconds since the epoch ({@code time.time()}), kept to the
 * microsecond, which a double holds exactly for any date of this millennium.
 */
final class EpochSeconds {
  private EpochSeconds() {}

  /** {@code instant} as float epoch seconds. */
  static double of(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }

  /** Float epoch seconds as an instant, rounded to the microsecond. */
  static Instant toInstant(double seconds) {
    return Instant.EPOCH.plus(Math.round(seconds * 1e6), ChronoUnit.MICROS);
  }
}
