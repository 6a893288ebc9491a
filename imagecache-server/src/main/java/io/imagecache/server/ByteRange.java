package io.imagecache.server;

import java.util.Optional;

/**
 * One satisfiable byte range of a representation of known length (RFC 9110 §14.1.2), inclusive
 * of both ends.
 */
record ByteRange(long first, long last) {

  ByteRange {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("invalid byte range " + first + "-" + last);
    }
  }

  long length() {
    return last - first + 1;
  }

  /** The {@code Content-Range} value of this range of a {@code size}-byte representation. */
  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  /** What a {@code Range} header asks of a representation of {@code size} bytes. */
  sealed interface Request permits Whole, Partial, Unsatisfiable {}

  /** Serve the whole representation: no header, a header we ignore, or several ranges. */
  record Whole() implements Request {}

  /** Serve one range with 206. */
  record Partial(ByteRange range) implements Request {}

  /** Answer 416 with {@code Content-Range: bytes *}{@code /size}. */
  record Unsatisfiable() implements Request {}

  /**
   * Interprets a {@code Range} header. Syntactically invalid headers and other units are ignored
   * (RFC 9110 says a server may ignore them); several ranges are answered with the whole body.
   */
  static Request parse(Optional<String> header, long size) {
    if (header.isEmpty()) {
      return new Whole();
    }
    String value = header.get().trim();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return new Whole();
    }
    String spec = value.substring(6).trim();
    if (spec.contains(",")) {
      return new Whole();
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Whole();
    }
    String firstText = spec.substring(0, dash).trim();
    String lastText = spec.substring(dash + 1).trim();
    try {
      if (firstText.isEmpty()) {
        if (lastText.isEmpty()) {
          return new Whole();
        }
        long suffix = parseDigits(lastText);
        if (suffix == 0) {
          return new Unsatisfiable();
        }
        if (size == 0) {
          // RFC 9110 §14.1.1: satisfiable, but no 206 can carry zero bytes; the empty 200 fits.
          return new Whole();
        }
        return new Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
      }
      long first = parseDigits(firstText);
      if (!lastText.isEmpty() && parseDigits(lastText) < first) {
        return new Whole();
      }
      if (first >= size) {
        return new Unsatisfiable();
      }
      long last = lastText.isEmpty() ? size - 1 : Math.min(parseDigits(lastText), size - 1);
      return new Partial(new ByteRange(first, last));
    } catch (NumberFormatException e) {
      return new Whole();
    }
  }

  private static long parseDigits(String text) {
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new NumberFormatException(text);
    }
    String significant = text.replaceFirst("^0+(?=.)", "");
    if (significant.length() > 18) {
      return Long.MAX_VALUE;
    }
    return Long.parseLong(significant);
  }
}
