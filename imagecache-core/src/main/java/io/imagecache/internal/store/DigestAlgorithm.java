package io.imagecache.internal.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/** A content digest the cache can verify, with its Glance {@code os_hash_algo} and JCA names. */
public enum DigestAlgorithm {
  MD5("md5", "MD5"),
  SHA_1("sha1", "SHA-1"),
  SHA_256("sha256", "SHA-256"),
  SHA_384("sha384", "SHA-384"),
  SHA_512("sha512", "SHA-512");

  private final String glanceName;
  private final String jcaName;

  DigestAlgorithm(String glanceName, String jcaName) {
    this.glanceName = glanceName;
    this.jcaName = jcaName;
  }

  /** The name Glance uses in {@code os_hash_algo}, e.g. {@code sha512}. */
  public String glanceName() {
    return glanceName;
  }

  /** A fresh {@link MessageDigest} for this algorithm. */
  public MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + jcaName, e);
    }
  }

  /**
   * Finds an algorithm by Glance name ({@code sha512}), JCA name ({@code SHA-512}) or RFC 9530
   * name ({@code sha-512}), ignoring case.
   */
  public static Optional<DigestAlgorithm> byName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT).replace("-", "");
    for (DigestAlgorithm algorithm : values()) {
      if (algorithm.glanceName.equals(wanted)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }
}
