package io.imagecache.testing;

import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A deterministic pseudo-random image of any size, computed on the fly and never held in memory:
 * the byte at each position depends only on the seed and the position, so any range can be produced
 * (or checked) without the rest. Its digests are computed once, by streaming, when first asked for.
 */
public final class GeneratedImage {
  private final long seed;
  private final long size;
  /** MD5, SHA-256 and SHA-512 of the whole image, computed on first use; guarded by {@code this}. */
  private List<ContentDigest> digests;

  public GeneratedImage(long seed, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + size);
    }
    this.seed = seed;
    this.size = size;
  }

  /** The image size in bytes. */
  public long size() {
    return size;
  }

  /** The seed that, with the size, defines every byte. */
  public long seed() {
    return seed;
  }

  /** Fills {@code dst[off, off+len)} with the image's bytes starting at {@code position}. */
  public void read(long position, byte[] dst, int off, int len) {
    Objects.checkFromIndexSize(off, len, dst.length);
    if (position < 0 || len > size - position) {
      throw new IndexOutOfBoundsException(
          "bytes " + position + "+" + len + " are outside an image of " + size + " bytes");
    }
    long p = position;
    int i = off;
    int end = off + len;
    while (i < end) {
      long word = word(p >>> 3);
      int shift = (int) (p & 7) * 8;
      while (shift < 64 && i < end) {
        dst[i++] = (byte) (word >>> shift);
        shift += 8;
        p++;
      }
    }
  }

  /** The {@code length} bytes starting at {@code position}. */
  public byte[] bytes(long position, int length) {
    byte[] out = new byte[length];
    read(position, out, 0, length);
    return out;
  }

  /** Writes the bytes {@code [from, to)} to {@code out}. */
  public void writeTo(OutputStream out, long from, long to) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    for (long p = from; p < to; ) {
      int n = (int) Math.min(buffer.length, to - p);
      read(p, buffer, 0, n);
      out.write(buffer, 0, n);
      p += n;
    }
  }

  /** The hex MD5 of the whole image. */
  public String md5() {
    return digest(DigestAlgorithm.MD5).hex();
  }

  /** The hex SHA-256 of the whole image. */
  public String sha256() {
    return digest(DigestAlgorithm.SHA_256).hex();
  }

  /** The hex SHA-512 of the whole image. */
  public String sha512() {
    return digest(DigestAlgorithm.SHA_512).hex();
  }

  /** Size, MD5 and SHA-512: what a Glance origin would announce for this image. */
  public ExpectedContent expected() {
    return new ExpectedContent(OptionalLong.of(size), List.of(digest(DigestAlgorithm.MD5), digest(DigestAlgorithm.SHA_512)));
  }

  /** The image's digest with {@code algorithm} (MD5, SHA-256 or SHA-512). */
  public ContentDigest digest(DigestAlgorithm algorithm) {
    return allDigests().stream()
        .filter(d -> d.algorithm() == algorithm)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not computed for generated images: " + algorithm));
  }

  private synchronized List<ContentDigest> allDigests() {
    if (digests == null) {
      MessageDigest md5 = DigestAlgorithm.MD5.newMessageDigest();
      MessageDigest sha256 = DigestAlgorithm.SHA_256.newMessageDigest();
      MessageDigest sha512 = DigestAlgorithm.SHA_512.newMessageDigest();
      byte[] buffer = new byte[256 * 1024];
      for (long p = 0; p < size; ) {
        int n = (int) Math.min(buffer.length, size - p);
        read(p, buffer, 0, n);
        md5.update(buffer, 0, n);
        sha256.update(buffer, 0, n);
        sha512.update(buffer, 0, n);
        p += n;
      }
      digests = List.of(
          ContentDigest.of(DigestAlgorithm.MD5, md5.digest()),
          ContentDigest.of(DigestAlgorithm.SHA_256, sha256.digest()),
          ContentDigest.of(DigestAlgorithm.SHA_512, sha512.digest()));
    }
    return digests;
  }

  /** The 8 bytes at word index {@code index}: SplitMix64 of the seed and the index. */
  private long word(long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "GeneratedImage[seed=" + seed + ", size=" + size + "]";
  }
}
