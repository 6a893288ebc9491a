package io.imagecache.internal.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the bytes of an image must be for a fill to commit: the size, when known, and every digest
 * the origin offered. A fill with nothing expected commits whatever the origin sent in full.
 */
public record ExpectedContent(OptionalLong size, List<ContentDigest> digests) {
  private static final ExpectedContent UNKNOWN = new ExpectedContent(OptionalLong.empty(), List.of());

  public ExpectedContent {
    Objects.requireNonNull(size, "size");
    digests = List.copyOf(digests);
    if (size.isPresent() && size.getAsLong() < 0) {
      throw new IllegalArgumentException("expected size must be >= 0: " + size.getAsLong());
    }
    long distinct = digests.stream().map(ContentDigest::algorithm).distinct().count();
    if (distinct != digests.size()) {
      throw new IllegalArgumentException("more than one expected digest per algorithm: " + digests);
    }
  }

  /** Nothing known in advance. */
  public static ExpectedContent unknown() {
    return UNKNOWN;
  }

  /** The expected digest of {@code algorithm}, if the origin gave one. */
  public Optional<ContentDigest> digest(DigestAlgorithm algorithm) {
    return digests.stream().filter(d -> d.algorithm() == algorithm).findFirst();
  }

  /** The expected hex MD5, Glance's {@code checksum}, if known. */
  public Optional<String> md5() {
    return digest(DigestAlgorithm.MD5).map(ContentDigest::hex);
  }
}
