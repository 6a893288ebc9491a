package io.imagecache.internal.origin;

import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads what a download must be from response headers: {@code Content-Length}, {@code Content-MD5}
 * (base64 as RFC 1864 says, or hex as Glance sends it) and {@code Repr-Digest} (RFC 9530, a
 * structured-field dictionary such as {@code sha-256=:base64:, sha-512=:base64:}). A header that is
 * present but malformed makes the response untrustworthy: {@link OriginUnavailableException}.
 */
final class ExpectedHeaders {
  /** The RFC 9530 algorithms we verify; others in {@code Repr-Digest} are ignored, as the RFC asks. */
  private static final Map<String, DigestAlgorithm> REPR_ALGORITHMS =
      Map.of("sha-256", DigestAlgorithm.SHA_256, "sha-512", DigestAlgorithm.SHA_512);

  private ExpectedHeaders() {}

  /** Size and digests announced by {@code headers}; {@code originName} names the origin in messages. */
  static ExpectedContent expected(HttpHeaders headers, String originName) throws OriginUnavailableException {
    List<ContentDigest> digests = new ArrayList<>();
    contentMd5(headers, originName).ifPresent(digests::add);
    digests.addAll(reprDigests(headers, originName));
    return new ExpectedContent(contentLength(headers, originName), digests);
  }

  /** The {@code Content-Length}, if sent; a value that is not a single non-negative number is malformed. */
  static OptionalLong contentLength(HttpHeaders headers, String originName) throws OriginUnavailableException {
    List<String> values = headers.allValues("Content-Length");
    if (values.isEmpty()) {
      return OptionalLong.empty();
    }
    String value = values.get(0).trim();
    boolean consistent = values.stream().allMatch(v -> v.trim().equals(value));
    if (consistent && !value.isEmpty() && value.length() <= 19 && value.chars().allMatch(Character::isDigit)) {
      return OptionalLong.of(Long.parseLong(value));
    }
    throw malformed(originName, "Content-Length", String.join(", ", values));
  }

  /** The {@code Content-MD5} as a digest, if sent: 32 hex digits or the base64 of 16 bytes. */
  static Optional<ContentDigest> contentMd5(HttpHeaders headers, String originName)
      throws OriginUnavailableException {
    Optional<String> header = headers.firstValue("Content-MD5");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    try {
      if (value.length() == 32) {
        return Optional.of(new ContentDigest(DigestAlgorithm.MD5, value));
      }
      byte[] raw = Base64.getDecoder().decode(value);
      if (raw.length == 16) {
        return Optional.of(ContentDigest.of(DigestAlgorithm.MD5, raw));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the malformed-header failure below
    }
    throw malformed(originName, "Content-MD5", value);
  }

  /** The sha-256 and sha-512 digests of a {@code Repr-Digest} header, if sent. */
  static List<ContentDigest> reprDigests(HttpHeaders headers, String originName)
      throws OriginUnavailableException {
    List<String> lines = headers.allValues("Repr-Digest");
    if (lines.isEmpty()) {
      return List.of();
    }
    String value = String.join(", ", lines);
    List<ContentDigest> digests = new ArrayList<>();
    try {
      for (Map.Entry<String, Optional<byte[]>> member : new StructuredDictionary(value).byteSequences()) {
        DigestAlgorithm algorithm = REPR_ALGORITHMS.get(member.getKey());
        if (algorithm == null) {
          continue;
        }
        if (member.getValue().isEmpty()) {
          throw new IllegalArgumentException(member.getKey() + " is not a byte sequence");
        }
        ContentDigest digest = ContentDigest.of(algorithm, member.getValue().get()); // checks the length
        for (ContentDigest earlier : digests) {
          if (earlier.algorithm() == algorithm && !earlier.equals(digest)) {
            throw new IllegalArgumentException("two different " + member.getKey() + " values");
          }
        }
        if (!digests.contains(digest)) {
          digests.add(digest);
        }
      }
    } catch (IllegalArgumentException e) {
      throw malformed(originName, "Repr-Digest", value);
    }
    return digests;
  }

  private static OriginUnavailableException malformed(String originName, String header, String value) {
    String shown = value.length() > 200 ? value.substring(0, 200) + "…" : value;
    return new OriginUnavailableException(originName + " sent a malformed " + header + " header: \"" + shown + "\"");
  }
}
