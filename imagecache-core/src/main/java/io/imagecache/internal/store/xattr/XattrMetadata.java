package io.imagecache.internal.store.xattr;

import io.imagecache.internal.store.ImageIndex.Access;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metadata of one committed image as kept in its {@code user.imagecache} extended attribute.
 *
 * <p>Format, one short line of ASCII (at most about 230 bytes, well inside ext4's ~4 KiB per file):
 *
 * <pre>
 *   v1 hits=3 accessed=1732531200123 modified=1732531100000 md5=9e107d9d372bb6826bd81d3542a419d6
 * </pre>
 *
 * <p>{@code accessed} and {@code modified} are epoch milliseconds (UTC); {@code md5} is absent when
 * no checksum was known at commit. Times are kept to the millisecond.
 */
record XattrMetadata(long hits, Instant lastAccessed, Instant lastModified, Optional<String> checksum) {
  /** The attribute name; the JDK adds the {@code user.} namespace. */
  static final String ATTRIBUTE = "imagecache";

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,128}");
  private static final Pattern V1 =
      Pattern.compile("v1 hits=(\\d{1,19}) accessed=(-?\\d{1,19}) modified=(-?\\d{1,19})"
          + "(?: md5=([0-9a-f]{1,128}))?");

  XattrMetadata {
    Objects.requireNonNull(lastAccessed, "lastAccessed");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(checksum, "checksum");
    if (hits < 0) {
      throw new IllegalArgumentException("hits must be >= 0: " + hits);
    }
    checksum = checksum.map(XattrMetadata::requireHex);
    lastAccessed = lastAccessed.truncatedTo(ChronoUnit.MILLIS);
    lastModified = lastModified.truncatedTo(ChronoUnit.MILLIS);
  }

  /** This metadata with {@code hits} more hits (saturating) and the given last access. */
  XattrMetadata withAccess(long moreHits, Instant accessed) {
    return new XattrMetadata(Access.addHits(hits, moreHits), accessed, lastModified, checksum);
  }

  /** The attribute value. */
  byte[] encode() {
    StringBuilder out = new StringBuilder(120)
        .append("v1 hits=").append(hits)
        .append(" accessed=").append(lastAccessed.toEpochMilli())
        .append(" modified=").append(lastModified.toEpochMilli());
    checksum.ifPresent(md5 -> out.append(" md5=").append(md5));
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Parses an attribute value; empty when it is not a value this version wrote (another version or
   * a damaged value), in which case the caller falls back to what the file itself says.
   */
  static Optional<XattrMetadata> decode(byte[] value) {
    Matcher m = V1.matcher(new String(value, StandardCharsets.US_ASCII));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new XattrMetadata(
          Long.parseLong(m.group(1)),
          Instant.ofEpochMilli(Long.parseLong(m.group(2))),
          Instant.ofEpochMilli(Long.parseLong(m.group(3))),
          Optional.ofNullable(m.group(4))));
    } catch (NumberFormatException | DateTimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses Glance's {@code user.hits} (a decimal string); 0 when it is not a non-negative number.
   */
  static long glanceHits(byte[] value) {
    String text = new String(value, StandardCharsets.US_ASCII).trim();
    try {
      return Math.max(0, Long.parseLong(text));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String requireHex(String checksum) {
    String lower = checksum.toLowerCase(Locale.ROOT);
    if (!HEX.matcher(lower).matches()) {
      throw new IllegalArgumentException("checksum must be 1-128 hex digits: \"" + checksum + "\"");
    }
    return lower;
  }
}
