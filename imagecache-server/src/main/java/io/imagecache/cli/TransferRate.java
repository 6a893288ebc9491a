package io.imagecache.cli;

import io.imagecache.Sizes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How fast a fill goes, averaged since it started, and how long it has left at that pace:
 * {@code 48.0 MiB/s}, {@code 1m 05s left}. Computed from the status's {@code bytes_written} and
 * {@code started_at} and the client's clock, so a test fixes both.
 *
 * @param bytesPerSecond more than 0
 */
record TransferRate(double bytesPerSecond) {

  TransferRate {
    if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
      throw new IllegalArgumentException("rate must be > 0 and finite: " + bytesPerSecond);
    }
  }

  /** The average rate of {@code bytes} written from {@code startedAt} to {@code now}, if any. */
  static Optional<TransferRate> since(long bytes, Instant startedAt, Instant now) {
    double seconds = Duration.between(startedAt, now).toNanos() / 1e9;
    if (bytes <= 0 || seconds <= 0) {
      return Optional.empty();
    }
    return Optional.of(new TransferRate(bytes / seconds));
  }

  /** {@code 48.0 MiB/s}. */
  String text() {
    return Sizes.format((long) Math.floor(bytesPerSecond)) + "/s";
  }

  /** The time {@code remaining} bytes take at this rate. */
  Duration timeFor(long remaining) {
    return Duration.ofSeconds((long) Math.ceil(Math.max(0, remaining) / bytesPerSecond));
  }

  /** A duration in its two largest units: {@code 2h 05m}, {@code 3m 07s}, {@code 12s}. */
  static String text(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds >= 3600) {
      return String.format("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
    if (seconds >= 60) {
      return String.format("%dm %02ds", seconds / 60, seconds % 60);
    }
    return seconds + "s";
  }
}
