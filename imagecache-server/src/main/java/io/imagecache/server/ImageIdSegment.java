package io.imagecache.server;

import io.imagecache.ImageId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The image id in one segment of a request path: its escapes decoded as UTF-8 (a {@code +} stays
 * a plus), then checked by {@link ImageId}. The one way a path segment becomes an id.
 */
final class ImageIdSegment {
  private ImageIdSegment() {}

  /** The id {@code segment} names; {@link IllegalArgumentException} with the reason if none. */
  static ImageId decode(String segment) {
    if (isPlainAscii(segment)) {
      // Nothing to decode (the common case, on every hit): no buffers, no charset decoder.
      return ImageId.of(segment);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length() || !HexFormat.isHexDigit(segment.charAt(i + 1))
            || !HexFormat.isHexDigit(segment.charAt(i + 2))) {
          throw new IllegalArgumentException(
              "invalid image id: invalid percent-encoding (% not followed by two hex digits)");
        }
        bytes.write(HexFormat.fromHexDigits(segment, i + 1, i + 3));
        i += 2;
      } else if (c > 0x7f) {
        throw new IllegalArgumentException("invalid image id: a character that is not ASCII");
      } else {
        bytes.write(c);
      }
    }
    String value;
    try {
      value = StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("invalid image id: its escapes are not UTF-8", e);
    }
    return ImageId.of(value);
  }

  /** Whether {@code segment} has neither escapes nor characters beyond ASCII. */
  private static boolean isPlainAscii(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' || c > 0x7f) {
        return false;
      }
    }
    return true;
  }
}
