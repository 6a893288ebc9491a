package io.imagecache.internal.store;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** An expected digest of an image's bytes: an algorithm and the lower-case hex value. */
public record ContentDigest(DigestAlgorithm algorithm, String hex) {
  public ContentDigest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    hex = hex.toLowerCase(Locale.ROOT);
    int expectedLength = algorithm.newMessageDigest().getDigestLength() * 2;
    if (hex.length() != expectedLength || !hex.chars().allMatch(ContentDigest::isLowerHexDigit)) {
      throw new IllegalArgumentException(
          "invalid " + algorithm.glanceName() + " digest \"" + hex + "\": expected "
              + expectedLength + " hex digits");
    }
  }

  /** A digest from raw digest bytes. */
  public static ContentDigest of(DigestAlgorithm algorithm, byte[] digest) {
    return new ContentDigest(algorithm, HexFormat.of().formatHex(digest));
  }

  /** ASCII only: {@link Character#digit} would also take fullwidth and other scripts' digits. */
  private static boolean isLowerHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  @Override
  public String toString() {
    return algorithm.glanceName() + ":" + hex;
  }
}
