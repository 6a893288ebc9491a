package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.ImageId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ContentCheckTest {
  private static final ImageId ID = ImageId.of("img");
  private static final byte[] CONTENT = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MD5 = DigestAlgorithm.MD5.newMessageDigest().digest(CONTENT);
  private static final ExpectedContent EXPECTED = new ExpectedContent(
      OptionalLong.of(CONTENT.length), List.of(ContentDigest.of(DigestAlgorithm.MD5, MD5)));

  @Test
  void matchingSizeAndDigestsPass() {
    assertThatCode(() -> ContentCheck.verify(ID, EXPECTED, 12, Map.of(DigestAlgorithm.MD5, MD5)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ContentCheck.checkNotTooLong(ID, EXPECTED, 12))
        .doesNotThrowAnyException();
  }

  @Test
  void eachMismatchHasItsKindAndOneWording() {
    assertThatThrownBy(() -> ContentCheck.verify(ID, EXPECTED, 11, Map.of(DigestAlgorithm.MD5, MD5)))
        .isInstanceOf(ContentMismatchException.class)
        .hasMessage("image img: size mismatch: expected 12 bytes, received 11")
        .extracting(e -> ((ContentMismatchException) e).kind())
        .isEqualTo(ContentMismatchException.Kind.TOO_SHORT);
    assertThatThrownBy(() -> ContentCheck.verify(ID, EXPECTED, 13, Map.of(DigestAlgorithm.MD5, MD5)))
        .extracting(e -> ((ContentMismatchException) e).kind())
        .isEqualTo(ContentMismatchException.Kind.TOO_LONG);
    assertThatThrownBy(() -> ContentCheck.checkNotTooLong(ID, EXPECTED, 13))
        .hasMessage("image img: size mismatch: expected 12 bytes, received at least 13")
        .extracting(e -> ((ContentMismatchException) e).kind())
        .isEqualTo(ContentMismatchException.Kind.TOO_LONG);
    byte[] other = DigestAlgorithm.MD5.newMessageDigest().digest(new byte[0]);
    assertThatThrownBy(() -> ContentCheck.verify(ID, EXPECTED, 12, Map.of(DigestAlgorithm.MD5, other)))
        .hasMessage("image img: md5 mismatch: expected " + EXPECTED.md5().orElseThrow()
            + ", computed d41d8cd98f00b204e9800998ecf8427e")
        .extracting(e -> ((ContentMismatchException) e).kind())
        .isEqualTo(ContentMismatchException.Kind.DIGEST);
  }

  @Test
  void nothingExpectedAcceptsAnything() {
    assertThatCode(() -> ContentCheck.verify(ID, ExpectedContent.unknown(), 5, Map.of()))
        .doesNotThrowAnyException();
    assertThatCode(() -> ContentCheck.checkNotTooLong(ID, ExpectedContent.unknown(), Long.MAX_VALUE))
        .doesNotThrowAnyException();
  }
}
