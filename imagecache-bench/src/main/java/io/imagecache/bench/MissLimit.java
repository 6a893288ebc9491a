package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * The same-run ceiling of a verified miss, measured once per round: the slower of saving the image
 * to a file durably (curl -o, then fdatasync) and hashing it on one core with the digest the cache
 * verifies. With {@code verify=strongest} (the default) that is SHA-512 when the origin offers
 * SHA-512 (and MD5), MD5 when it offers MD5 alone; the other offered digests are recorded, not
 * computed. Also what the cache spends beyond that digest's own CPU time, and beyond the CPU the
 * same bytes cost without a cache in the same round: curl receiving and writing them durably (the
 * kernel's page-cache writes dominate it) and the origin's nginx sending them with sendfile, as the
 * cache sends them to its client.
 */
final class MissLimit {
  /** How the test origin offers digests: by the prefix of the image id (nginx locations below). */
  enum Offered {
    /** {@code Content-MD5} and {@code Repr-Digest: sha-512}, as Glance's checksum and a hash store. */
    MD5_AND_SHA512("b-", "MD5 + SHA-512 offered (SHA-512 verified)"),
    /** {@code Content-MD5} alone. */
    MD5_ONLY("m-", "MD5 offered (MD5 verified)");

    final String prefix;
    final String label;

    Offered(String prefix, String label) {
      this.prefix = prefix;
      this.label = label;
    }
  }

  private final double plainBytesPerSecond;
  private final double sendCpuPerGib;
  private final double savedBytesPerSecond;
  private final double saveCpuPerGib;
  private final double md5BytesPerSecond;
  private final double sha512BytesPerSecond;

  private MissLimit(double plain, double sendCpuPerGib, double saved, double saveCpuPerGib, double md5,
      double sha512) {
    this.plainBytesPerSecond = plain;
    this.sendCpuPerGib = sendCpuPerGib;
    this.savedBytesPerSecond = saved;
    this.saveCpuPerGib = saveCpuPerGib;
    this.md5BytesPerSecond = md5;
    this.sha512BytesPerSecond = sha512;
  }

  /**
   * The nginx locations offering {@code digests} (those of every file whose name starts with a
   * prefix below: hard links of one image) for files named {@code b-…} and {@code m-…}.
   */
  static String locations(TestFiles.Digests digests) {
    String md5 = "      add_header Content-MD5 \"" + digests.md5Hex() + "\";\n";
    String sha512 = "      add_header Repr-Digest \"sha-512=:" + digests.sha512Base64() + ":\";\n";
    return "    location ~ ^/" + Offered.MD5_AND_SHA512.prefix + " {\n" + md5 + sha512 + "    }\n"
        + "    location ~ ^/" + Offered.MD5_ONLY.prefix + " {\n" + md5 + "    }\n";
  }

  /**
   * Measures this round's limits: a plain download of {@code url} (timing the CPU of the origin
   * process tree {@code originPid}), a durable save of it to {@code saved}, then both digests.
   */
  static MissLimit measure(BenchContext context, String url, long originPid, Path saved, long size)
      throws IOException, InterruptedException, NoSuchAlgorithmException {
    context.cpu().awaitIdle(originPid, Duration.ofMillis(300), Duration.ofSeconds(5));
    double cpu0 = context.cpu().treeSeconds(originPid);
    Curl.Transfer plain = context.curl().get(url, 300).expect(size, "plain download of " + url);
    double sendCpu = context.cpu().treeSeconds(originPid) - cpu0;
    Curl.Save save = context.curl().saveDurably(url, saved, size, 300, context.cpu());
    Files.deleteIfExists(saved);
    double perGib = (double) TestFiles.GIB / size;
    return new MissLimit(plain.bytesPerSecond(), sendCpu * perGib, save.bytesPerSecond(),
        save.cpuSeconds() * perGib, HashSpeed.bytesPerSecond("MD5", size),
        HashSpeed.bytesPerSecond("SHA-512", size));
  }

  double plainBytesPerSecond() {
    return plainBytesPerSecond;
  }

  double savedBytesPerSecond() {
    return savedBytesPerSecond;
  }

  /** CPU seconds per GiB of curl and fdatasync saving the image durably. */
  double saveCpuPerGib() {
    return saveCpuPerGib;
  }

  /** CPU seconds per GiB of the origin's nginx sending the image with sendfile. */
  double sendCpuPerGib() {
    return sendCpuPerGib;
  }

  double md5BytesPerSecond() {
    return md5BytesPerSecond;
  }

  double sha512BytesPerSecond() {
    return sha512BytesPerSecond;
  }

  /** The speed of the digest the cache computes when the origin offers {@code offered}. */
  double digestBytesPerSecond(Offered offered) {
    return offered == Offered.MD5_AND_SHA512 ? sha512BytesPerSecond : md5BytesPerSecond;
  }

  /**
   * Server CPU seconds per GiB beyond the verified digest and beyond the CPU the same bytes cost
   * without a cache: a durable save, and (when the cache also streamed them to a client,
   * {@code streamed}) nginx sending them: the cache's own overhead.
   */
  double beyondPlainTransfer(double cpuSecondsPerGib, Offered offered, boolean streamed) {
    return beyondDigest(cpuSecondsPerGib, offered) - saveCpuPerGib() - (streamed ? sendCpuPerGib() : 0);
  }

  /** min(durable save, the verified digest on one core), bytes per second. */
  double limitBytesPerSecond(Offered offered) {
    return Math.min(savedBytesPerSecond, digestBytesPerSecond(offered));
  }

  /** Server CPU seconds per GiB beyond the verified digest's own: {@code cpu} − 1 GiB ÷ its speed. */
  double beyondDigest(double cpuSecondsPerGib, Offered offered) {
    return cpuSecondsPerGib - TestFiles.GIB / digestBytesPerSecond(offered);
  }
}
