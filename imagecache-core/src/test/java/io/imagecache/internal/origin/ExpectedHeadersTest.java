package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.net.http.HttpHeaders;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ExpectedHeadersTest {
  private static final byte[] BODY = "hello image".getBytes();
  private static final byte[] MD5 = digest("MD5");
  private static final byte[] SHA256 = digest("SHA-256");
  private static final byte[] SHA512 = digest("SHA-512");
  private static final String ORIGIN = "origin http://o";

  @Test
  void contentMd5InHexAsGlanceSendsItIsAccepted() throws Exception {
    assertThat(ExpectedHeaders.contentMd5(headers("Content-MD5", hex(MD5).toUpperCase()), ORIGIN))
        .contains(ContentDigest.of(DigestAlgorithm.MD5, MD5));
  }

  @Test
  void contentMd5InBase64AsRfc1864SaysIsAccepted() throws Exception {
    assertThat(ExpectedHeaders.contentMd5(headers("Content-MD5", b64(MD5)), ORIGIN))
        .contains(ContentDigest.of(DigestAlgorithm.MD5, MD5));
  }

  @Test
  void malformedContentMd5MakesTheResponseUntrustworthy() {
    assertThatThrownBy(() -> ExpectedHeaders.contentMd5(headers("Content-MD5", "abc"), ORIGIN))
        .isInstanceOf(OriginUnavailableException.class)
        .hasMessage("origin http://o sent a malformed Content-MD5 header: \"abc\"");
    assertThatThrownBy(() -> ExpectedHeaders.contentMd5(headers("Content-MD5", b64(SHA256)), ORIGIN))
        .isInstanceOf(OriginUnavailableException.class);
  }

  @Test
  void reprDigestGivesSha256AndSha512() throws Exception {
    HttpHeaders headers = headers("Repr-Digest", "sha-256=:" + b64(SHA256) + ":, sha-512=:" + b64(SHA512) + ":");

    assertThat(ExpectedHeaders.reprDigests(headers, ORIGIN)).containsExactly(
        ContentDigest.of(DigestAlgorithm.SHA_256, SHA256), ContentDigest.of(DigestAlgorithm.SHA_512, SHA512));
  }

  @Test
  void reprDigestIgnoresUnknownAlgorithmsAndParameters() throws Exception {
    HttpHeaders headers = headers("Repr-Digest",
        "unixsum=:AAAA:, sha-512=:" + b64(SHA512) + ":;note=\"a, b\", crc32c=42, id-sha-256=?1");

    assertThat(ExpectedHeaders.reprDigests(headers, ORIGIN))
        .containsExactly(ContentDigest.of(DigestAlgorithm.SHA_512, SHA512));
  }

  @Test
  void reprDigestOverSeveralHeaderLinesIsOneDictionary() throws Exception {
    HttpHeaders headers = HttpHeaders.of(Map.of("Repr-Digest",
        List.of("sha-256=:" + b64(SHA256) + ":", "sha-512=:" + b64(SHA512) + ":")), (n, v) -> true);

    assertThat(ExpectedHeaders.reprDigests(headers, ORIGIN)).hasSize(2);
  }

  @Test
  void malformedReprDigestMakesTheResponseUntrustworthy() {
    for (String bad : List.of("sha-256=" + b64(SHA256), "sha-256=:" + b64(MD5) + ":", "sha-256=:" + b64(SHA256),
        "SHA-256=:" + b64(SHA256) + ":", "sha-256=:" + b64(SHA256) + ":,", "sha-256=(:AA: :BB:)",
        "sha-256=:" + b64(SHA256) + ":, sha-256=:" + b64(digest("SHA-256", "other")) + ":")) {
      assertThatThrownBy(() -> ExpectedHeaders.reprDigests(headers("Repr-Digest", bad), ORIGIN))
          .as(bad)
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("origin http://o sent a malformed Repr-Digest header: \"" + bad + "\"");
    }
  }

  @Test
  void contentLengthMustBeOneNonNegativeNumber() throws Exception {
    assertThat(ExpectedHeaders.contentLength(headers("Content-Length", "11"), ORIGIN)).hasValue(11);
    assertThat(ExpectedHeaders.contentLength(HttpHeaders.of(Map.of(), (n, v) -> true), ORIGIN)).isEmpty();
    for (String bad : List.of("-1", "1x", "", "99999999999999999999")) {
      assertThatThrownBy(() -> ExpectedHeaders.contentLength(headers("Content-Length", bad), ORIGIN))
          .as(bad)
          .isInstanceOf(OriginUnavailableException.class)
          .hasMessage("origin http://o sent a malformed Content-Length header: \"" + bad + "\"");
    }
  }

  @Test
  void expectedContentCombinesSizeMd5AndReprDigest() throws Exception {
    Map<String, List<String>> map = new LinkedHashMap<>();
    map.put("Content-Length", List.of("11"));
    map.put("Content-MD5", List.of(hex(MD5)));
    map.put("Repr-Digest", List.of("sha-512=:" + b64(SHA512) + ":"));

    assertThat(ExpectedHeaders.expected(HttpHeaders.of(map, (n, v) -> true), ORIGIN)).isEqualTo(new ExpectedContent(
        OptionalLong.of(11),
        List.of(ContentDigest.of(DigestAlgorithm.MD5, MD5), ContentDigest.of(DigestAlgorithm.SHA_512, SHA512))));
  }

  private static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (n, v) -> true);
  }

  private static byte[] digest(String algorithm) {
    return digest(algorithm, new String(BODY));
  }

  private static byte[] digest(String algorithm, String text) {
    try {
      return MessageDigest.getInstance(algorithm).digest(text.getBytes());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String hex(byte[] raw) {
    return HexFormat.of().formatHex(raw);
  }

  private static String b64(byte[] raw) {
    return Base64.getEncoder().encodeToString(raw);
  }
}
