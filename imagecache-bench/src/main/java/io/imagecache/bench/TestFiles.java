package io.imagecache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Creates the benchmark's image files (pseudo-random bytes) and their digests. */
final class TestFiles {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  private TestFiles() {}

  /** Writes {@code size} pseudo-random bytes to {@code file} unless it already has that size. */
  static Path random(Path file, long size, long seed) throws IOException {
    if (Files.exists(file) && Files.size(file) == size) {
      return file;
    }
    SplittableRandom random = new SplittableRandom(seed);
    byte[] buffer = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += buffer.length) {
        for (int i = 0; i < buffer.length; i += 8) {
          long bits = random.nextLong();
          for (int b = 0; b < 8; b++) {
            buffer[i + b] = (byte) (bits >>> (8 * b));
          }
        }
        out.write(buffer, 0, (int) Math.min(buffer.length, size - written));
      }
    }
    return file;
  }

  /** A hard link {@code link} to {@code target} (same bytes, a new name, no extra disk). */
  static Path link(Path link, Path target) throws IOException {
    Files.deleteIfExists(link);
    return Files.createLink(link, target);
  }

  /** The MD5 (hex) and SHA-512 (base64) of {@code file}. */
  static Digests digests(Path file) throws IOException {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      byte[] buffer = new byte[(int) MIB];
      try (InputStream in = Files.newInputStream(file)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          md5.update(buffer, 0, n);
          sha512.update(buffer, 0, n);
        }
      }
      return new Digests(HexFormat.of().formatHex(md5.digest()),
          Base64.getEncoder().encodeToString(sha512.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks MD5 or SHA-512", e);
    }
  }

  /** A file's MD5 in hex and SHA-512 in base64, as {@code Content-MD5} and {@code Repr-Digest} carry them. */
  record Digests(String md5Hex, String sha512Base64) {}
}
