package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentDigestTest {
  private static final String MD5_OF_ABC = "900150983cd24fb0d6963f7d28e17f72";
  private static final String SHA512_OF_ABC = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee"
      + "64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

  @Test
  void keepsTheHexLowerCased() {
    ContentDigest digest = new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC.toUpperCase());

    assertThat(digest.hex()).isEqualTo(MD5_OF_ABC);
    assertThat(digest).isEqualTo(new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC));
  }

  @Test
  void isMadeFromRawDigestBytes() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);

    assertThat(ContentDigest.of(DigestAlgorithm.MD5, DigestAlgorithm.MD5.newMessageDigest()
        .digest(abc))).isEqualTo(new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC));
    assertThat(ContentDigest.of(DigestAlgorithm.SHA_512, DigestAlgorithm.SHA_512
        .newMessageDigest().digest(abc)).hex()).isEqualTo(SHA512_OF_ABC);
  }

  @Test
  void printsAsGlanceNameColonHex() {
    assertThat(new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC))
        .hasToString("md5:" + MD5_OF_ABC);
  }

  @ParameterizedTest
  @CsvSource({"MD5, 32", "SHA_1, 40", "SHA_256, 64", "SHA_384, 96", "SHA_512, 128"})
  void acceptsExactlyTheDigestLengthOfEachAlgorithm(DigestAlgorithm algorithm, int hexDigits) {
    assertThat(new ContentDigest(algorithm, "a".repeat(hexDigits)).hex()).hasSize(hexDigits);
    assertThatThrownBy(() -> new ContentDigest(algorithm, "a".repeat(hexDigits + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ContentDigest(algorithm, "a".repeat(hexDigits - 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesAWrongLengthWithTheExactMessage() {
    assertThatThrownBy(() -> new ContentDigest(DigestAlgorithm.SHA_512, MD5_OF_ABC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid sha512 digest \"" + MD5_OF_ABC + "\": expected 128 hex digits");
    assertThatThrownBy(() -> new ContentDigest(DigestAlgorithm.MD5, ""))
        .hasMessage("invalid md5 digest \"\": expected 32 hex digits");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "g00150983cd24fb0d6963f7d28e17f72",
      "900150983cd24fb0d6963f7d28e17f7 ",
      "-00150983cd24fb0d6963f7d28e17f72",
      // fullwidth digits and letters, which Character.digit would take for hex
      "\uff10\uff10150983cd24fb0d6963f7d28e17f72",
      "\uff21\uff21150983cd24fb0d6963f7d28e17f72",
      // Arabic-Indic digits
      "\u0660\u0661150983cd24fb0d6963f7d28e17f72"})
  void refusesAnythingButAsciiHexDigits(String hex) {
    assertThatThrownBy(() -> new ContentDigest(DigestAlgorithm.MD5, hex))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid md5 digest \"")
        .hasMessageEndingWith("\": expected 32 hex digits");
  }

  @Test
  void refusesNulls() {
    assertThatThrownBy(() -> new ContentDigest(null, MD5_OF_ABC))
        .isInstanceOf(NullPointerException.class).hasMessage("algorithm");
    assertThatThrownBy(() -> new ContentDigest(DigestAlgorithm.MD5, null))
        .isInstanceOf(NullPointerException.class).hasMessage("hex");
  }

  @ParameterizedTest
  @CsvSource({
      "md5, MD5", "MD5, MD5", "sha1, SHA_1", "SHA-1, SHA_1", "sha-1, SHA_1",
      "sha256, SHA_256", "SHA-256, SHA_256", "sha-256, SHA_256",
      "sha384, SHA_384", "SHA-384, SHA_384", "sha-384, SHA_384",
      "sha512, SHA_512", "SHA-512, SHA_512", "sha-512, SHA_512", "Sha-512, SHA_512",
      "SHA512, SHA_512"})
  void findsAnAlgorithmByGlanceJcaOrRfc9530NameIgnoringCase(String name,
      DigestAlgorithm algorithm) {
    assertThat(DigestAlgorithm.byName(name)).contains(algorithm);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sha", "sha3-512", "sha-224", "crc32c", "blake2b", "md4", "512"})
  void findsNothingForAnUnknownName(String name) {
    assertThat(DigestAlgorithm.byName(name)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void everyAlgorithmIsFoundByItsOwnGlanceName(DigestAlgorithm algorithm) {
    assertThat(DigestAlgorithm.byName(algorithm.glanceName())).contains(algorithm);
    assertThat(algorithm.newMessageDigest()).isNotSameAs(algorithm.newMessageDigest());
  }

  @Test
  void expectedContentRefusesANegativeSize() {
    assertThatThrownBy(() -> new ExpectedContent(OptionalLong.of(-1), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected size must be >= 0: -1");
  }

  @Test
  void expectedContentAcceptsAZeroSize() {
    assertThat(new ExpectedContent(OptionalLong.of(0), List.of()).size()).hasValue(0);
  }

  @Test
  void expectedContentRefusesTwoDigestsOfOneAlgorithm() {
    ContentDigest first = new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC);
    ContentDigest second = new ContentDigest(DigestAlgorithm.MD5, "0".repeat(32));

    assertThatThrownBy(() -> new ExpectedContent(OptionalLong.empty(), List.of(first, second)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("more than one expected digest per algorithm: [md5:" + MD5_OF_ABC + ", md5:"
            + "0".repeat(32) + "]");
  }

  @Test
  void expectedContentGivesEachDigestByAlgorithmAndTheMd5AsHex() {
    ContentDigest md5 = new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC);
    ContentDigest sha512 = new ContentDigest(DigestAlgorithm.SHA_512, SHA512_OF_ABC);
    ExpectedContent expected = new ExpectedContent(OptionalLong.of(3), List.of(sha512, md5));

    assertThat(expected.md5()).contains(MD5_OF_ABC);
    assertThat(expected.digest(DigestAlgorithm.SHA_512)).contains(sha512);
    assertThat(expected.digest(DigestAlgorithm.MD5)).contains(md5);
    assertThat(expected.digest(DigestAlgorithm.SHA_256)).isEmpty();
  }

  @Test
  void expectedContentWithoutAnMd5HasNone() {
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(),
        List.of(new ContentDigest(DigestAlgorithm.SHA_512, SHA512_OF_ABC)));

    assertThat(expected.md5()).isEmpty();
  }

  @Test
  void expectedContentKeepsItsOwnCopyOfTheDigests() {
    List<ContentDigest> digests = new ArrayList<>();
    digests.add(new ContentDigest(DigestAlgorithm.MD5, MD5_OF_ABC));
    ExpectedContent expected = new ExpectedContent(OptionalLong.empty(), digests);

    digests.clear();

    assertThat(expected.digests()).hasSize(1);
    assertThatThrownBy(() -> expected.digests().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unknownExpectsNothing() {
    assertThat(ExpectedContent.unknown().size()).isEmpty();
    assertThat(ExpectedContent.unknown().digests()).isEmpty();
    assertThat(ExpectedContent.unknown().md5()).isEmpty();
  }
}
