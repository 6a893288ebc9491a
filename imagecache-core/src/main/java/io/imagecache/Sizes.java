package io.imagecache;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as people write them: {@code 10GiB}, {@code 500MB}, {@code 1.5GiB}, {@code 1048576}.
 * Decimal units (KB, MB, GB, TB) are powers of 1000, binary units (KiB, MiB, GiB, TiB) powers of
 * 1024; units ignore case and may follow a space; a fraction rounds down to whole bytes.
 */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)");
  private static final String UNITS = "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB";
  private static final Map<String, Long> MULTIPLIERS = Map.ofEntries(
      Map.entry("", 1L), Map.entry("b", 1L),
      Map.entry("kb", 1000L), Map.entry("mb", 1000L * 1000), Map.entry("gb", 1000L * 1000 * 1000),
      Map.entry("tb", 1000L * 1000 * 1000 * 1000),
      Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
      Map.entry("tib", 1L << 40));
  private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private Sizes() {}

  /**
   * Parses a size in bytes.
   *
   * @throws IllegalArgumentException naming the value when it is not a size, has an unknown unit
   *     or exceeds {@link Long#MAX_VALUE} bytes
   */
  public static long parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("invalid size: missing value");
    }
    Matcher matcher = SIZE.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "invalid size \"" + text + "\": expected a number of bytes with an optional unit ("
              + UNITS + "), e.g. 10GiB, 500MB, 1048576");
    }
    Long multiplier = MULTIPLIERS.get(matcher.group(2).toLowerCase(Locale.ROOT));
    if (multiplier == null) {
      throw new IllegalArgumentException(
          "invalid size \"" + text + "\": unknown unit \"" + matcher.group(2) + "\"; expected "
              + UNITS);
    }
    BigDecimal bytes = new BigDecimal(matcher.group(1))
        .multiply(BigDecimal.valueOf(multiplier))
        .setScale(0, RoundingMode.DOWN);
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          "invalid size \"" + text + "\": larger than " + Long.MAX_VALUE + " bytes");
    }
    return bytes.longValueExact();
  }

  /** Formats a byte count in binary units with one decimal: {@code 512 B}, {@code 1.5 GiB}. */
  public static String format(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + bytes);
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = 0;
    double value = bytes;
    // Move up while the value would print as 1024.0 or more in the current unit.
    while (unit < BINARY_UNITS.length - 1 && value >= 1023.95) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, BINARY_UNITS[unit]);
  }
}
