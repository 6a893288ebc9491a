package io.imagecache.internal.store.xattr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The attribute format: what is written, what is read back, and what is refused. */
class XattrMetadataTest {
  private static final Instant ACCESSED = Instant.parse("2026-03-01T12:00:05.123Z");
  private static final Instant MODIFIED = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void encode_writesOneShortAsciiLine() {
    XattrMetadata metadata = new XattrMetadata(
        3, ACCESSED, MODIFIED, Optional.of("9E107D9D372BB6826BD81D3542A419D6"));

    assertThat(text(metadata.encode())).isEqualTo("v1 hits=3 accessed=1772366405123"
        + " modified=1772366400000 md5=9e107d9d372bb6826bd81d3542a419d6");
  }

  @Test
  void decode_readsBackWhatEncodeWrote_withAndWithoutChecksum() {
    XattrMetadata withMd5 =
        new XattrMetadata(Long.MAX_VALUE, ACCESSED, MODIFIED, Optional.of("abc123"));
    XattrMetadata withoutMd5 = new XattrMetadata(0, ACCESSED, MODIFIED, Optional.empty());

    assertThat(XattrMetadata.decode(withMd5.encode())).contains(withMd5);
    assertThat(XattrMetadata.decode(withoutMd5.encode())).contains(withoutMd5);
  }

  @Test
  void decode_ofAnotherVersionOrADamagedValue_isEmpty() {
    for (String value : new String[] {"", "v2 hits=1 accessed=1 modified=1",
        "v1 hits=-1 accessed=1 modified=1", "v1 hits=1 accessed=1", "v1 hits=1 accessed=x modified=1",
        "v1 hits=1 accessed=1 modified=1 md5=XYZ", "v1 hits=99999999999999999999 accessed=1 modified=1"}) {
      assertThat(XattrMetadata.decode(value.getBytes(StandardCharsets.US_ASCII)))
          .as(value).isEmpty();
    }
  }

  @Test
  void timesAreKeptToTheMillisecond() {
    XattrMetadata metadata = new XattrMetadata(
        0, Instant.parse("2026-03-01T12:00:00.123456789Z"), MODIFIED, Optional.empty());

    assertThat(metadata.lastAccessed()).isEqualTo(Instant.parse("2026-03-01T12:00:00.123Z"));
  }

  @Test
  void withAccess_addsHitsSaturatingAndSetsTheAccessTime() {
    XattrMetadata metadata = new XattrMetadata(5, MODIFIED, MODIFIED, Optional.empty());

    assertThat(metadata.withAccess(2, ACCESSED))
        .isEqualTo(new XattrMetadata(7, ACCESSED, MODIFIED, Optional.empty()));
    assertThat(metadata.withAccess(Long.MAX_VALUE, ACCESSED).hits()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aChecksumThatIsNotHex_isRefusedShowingTheValue() {
    assertThatThrownBy(() -> new XattrMetadata(0, MODIFIED, MODIFIED, Optional.of("not hex")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checksum must be 1-128 hex digits: \"not hex\"");
  }

  @Test
  void glanceHits_parsesTheDecimalStringAndTreatsAnythingElseAsZero() {
    assertThat(XattrMetadata.glanceHits(bytes("12"))).isEqualTo(12);
    assertThat(XattrMetadata.glanceHits(bytes(" 4\n"))).isEqualTo(4);
    assertThat(XattrMetadata.glanceHits(bytes("-3"))).isZero();
    assertThat(XattrMetadata.glanceHits(bytes("many"))).isZero();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.US_ASCII);
  }
}
