package io.imagecache.internal.store;

import io.imagecache.OriginConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What the bytes of an image must be for a fill to commit: the size, when known, and the digests
 * to verify ({@code digests}); {@code recorded} are digests the origin offered that are not
 * verified but kept as its word (see {@link #verifying}). A fill with nothing expected commits
 * whatever the origin sent in full.
 */
public record ExpectedContent(
    OptionalLong size, List<ContentDigest> digests, List<ContentDigest> recorded) {
  private static final ExpectedContent UNKNOWN = new ExpectedContent(OptionalLong.empty(), List.of());

  public ExpectedContent {
    Objects.requireNonNull(size, "size");
    digests = List.copyOf(digests);
    recorded = List.copyOf(recorded);
    for (ContentDigest kept : recorded) {
      if (digests.stream().anyMatch(d -> d.algorithm() == kept.algorithm())) {
        throw new IllegalArgumentException("digest both verified and recorded: " + kept);
      }
    }
    if (size.isPresent() && size.getAsLong() < 0) {
      throw new IllegalArgumentException("expected size must be >= 0: " + size.getAsLong());
    }
    long distinct = digests.stream().map(ContentDigest::algorithm).distinct().count();
    if (distinct != digests.size()) {
      throw new IllegalArgumentException("more than one expected digest per algorithm: " + digests);
    }
  }

  /** Content whose every offered digest is verified. */
  public ExpectedContent(OptionalLong size, List<ContentDigest> digests) {
    this(size, digests, List.of());
  }

  /**
   * This content as {@code policy} verifies it: {@link OriginConfig.Verify#ALL} verifies every digest;
   * {@link OriginConfig.Verify#STRONGEST} only the strongest (the last {@link DigestAlgorithm}), the
   * others moving to {@link #recorded}.
   */
  public ExpectedContent verifying(OriginConfig.Verify policy) {
    List<ContentDigest> all = new ArrayList<>(digests);
    all.addAll(recorded);
    if (policy == OriginConfig.Verify.ALL || all.size() <= 1) {
      return new ExpectedContent(size, all);
    }
    ContentDigest strongest = all.stream()
        .max(Comparator.comparing(ContentDigest::algorithm)).orElseThrow();
    all.remove(strongest);
    return new ExpectedContent(size, List.of(strongest), all);
  }

  /** Nothing known in advance. */
  public static ExpectedContent unknown() {
    return UNKNOWN;
  }

  /** The digest of {@code algorithm} the origin gave, verified or recorded, if any. */
  public Optional<ContentDigest> digest(DigestAlgorithm algorithm) {
    return Stream.concat(digests.stream(), recorded.stream())
        .filter(d -> d.algorithm() == algorithm).findFirst();
  }

  /** The expected hex MD5, Glance's {@code checksum}, if known. */
  public Optional<String> md5() {
    return digest(DigestAlgorithm.MD5).map(ContentDigest::hex);
  }
}
