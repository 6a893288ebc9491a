package io.imagecache;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: a whole number and a unit, {@code 500ms}, {@code 90s},
 * {@code 30m}, {@code 24h}, {@code 2d} (units ignore case). A bare number is seconds, as Glance's
 * {@code image_cache_stall_time} is.
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([A-Za-z]*)");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the value when it is not a duration, has an unknown
   *     unit or is too large
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("invalid duration: missing value");
    }
    Matcher matcher = DURATION.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\": expected a whole number with a unit (ms, s, m, h, d),"
              + " e.g. 90s, 30m, 24h");
    }
    String unit = matcher.group(2).toLowerCase(Locale.ROOT);
    try {
      long amount = Long.parseLong(matcher.group(1));
      switch (unit) {
        case "ms":
          return Duration.ofMillis(amount);
        case "":
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
          return Duration.ofDays(amount);
        default:
          throw new IllegalArgumentException(
              "invalid duration \"" + text + "\": unknown unit \"" + matcher.group(2)
                  + "\"; expected ms, s, m, h or d");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\": too large", e);
    }
  }

  /** Formats a duration in the largest exact unit: {@code 24h}, {@code 90s}, {@code 1500ms}. */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.getNano() % 1_000_000 != 0) {
      return duration.toNanos() + "ns";
    }
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    throw new AssertionError("unreachable: every millisecond count is a multiple of 1 ms");
  }
}
