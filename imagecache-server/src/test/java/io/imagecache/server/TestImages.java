package io.imagecache.server;

import io.imagecache.testing.GeneratedImage;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
    return HexFormat.of().formatHex(newMd5().digest(bytes));
  }

  /** A fresh MD5 digest (every JDK has one). */
  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Bytes {@code first} to {@code last} inclusive. */
  static byte[] range(byte[] bytes, long first, long last) {
    return Arrays.copyOfRange(bytes, (int) first, (int) last + 1);
  }
}
