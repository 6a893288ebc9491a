package io.imagecache.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * How fast this JDK hashes on one core: the ceiling a verified fill cannot pass, whatever it
 * overlaps, since each digest is sequential over the image's bytes.
 */
final class HashSpeed {
  private static final int BUFFER = 64 << 20;

  private HashSpeed() {}

  /** Bytes per second of {@code algorithm} over {@code total} bytes (a 64 MiB buffer hashed in turn). */
  static double bytesPerSecond(String algorithm, long total) throws NoSuchAlgorithmException {
    byte[] buffer = new byte[BUFFER];
    new Random(5).nextBytes(buffer);
    MessageDigest digest = MessageDigest.getInstance(algorithm);
    for (int i = 0; i < 4; i++) {
      digest.update(buffer); // warm-up: let the JIT reach the intrinsic
    }
    digest.reset();
    long t0 = System.nanoTime();
    long hashed = 0;
    while (hashed < total) {
      digest.update(buffer);
      hashed += buffer.length;
    }
    digest.digest();
    return hashed / ((System.nanoTime() - t0) / 1e9);
  }
}
