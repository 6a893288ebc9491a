package io.imagecache.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * How fast this JDK hashes on one core: the ceiling a verified fill cannot pass, whatever it
 * overlaps, since each digest is sequential over the image's bytes. Timed by the hashing thread's
 * CPU time, so that a core shared with other work gives the core's speed, not the share it got.
 */
final class HashSpeed {
  private static final int BUFFER = 64 << 20;

  private HashSpeed() {}

  /**
   * Bytes per CPU second of {@code algorithm} over {@code total} bytes (a 64 MiB buffer hashed in
   * turn), or per second of wall time where the JVM cannot tell a thread's CPU time.
   */
  static double bytesPerSecond(String algorithm, long total) throws NoSuchAlgorithmException {
    byte[] buffer = new byte[BUFFER];
    new Random(5).nextBytes(buffer);
    MessageDigest digest = MessageDigest.getInstance(algorithm);
    for (int i = 0; i < 4; i++) {
      digest.update(buffer); // warm-up: let the JIT reach the intrinsic
    }
    digest.reset();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
    long t0 = cpuTime ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    long hashed = 0;
    while (hashed < total) {
      digest.update(buffer);
      hashed += buffer.length;
    }
    digest.digest();
    long t1 = cpuTime ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    return hashed / ((t1 - t0) / 1e9);
  }
}
