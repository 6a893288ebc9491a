package io.imagecache.server;

import io.imagecache.DigestAlgorithm;
import io.imagecache.testing.GeneratedImage;
import java.util.Arrays;
import java.util.HexFormat;

/** Image bytes for the data-path tests and what to compare them with. */
final class TestImages {
  static final int KiB = 1024;
  static final int MiB = 1024 * KiB;

  private TestImages() {}

  /** {@code size} reproducible pseudo-random bytes. */
  static byte[] bytes(long seed, int size) {
    return new GeneratedImage(seed, size).bytes(0, size);
  }

  /** The hex MD5 of {@code bytes}, as {@code Content-MD5} carries it. */
  static String md5(byte[] bytes) {
    return HexFormat.of().formatHex(DigestAlgorithm.MD5.newMessageDigest().digest(bytes));
  }

  /** Bytes {@code first} to {@code last} inclusive. */
  static byte[] range(byte[] bytes, long first, long last) {
    return Arrays.copyOfRange(bytes, (int) first, (int) last + 1);
  }
}
