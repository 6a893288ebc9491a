package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
  private static final long SIZE = 1000;

  @Test
  void noHeaderMeansTheWholeRepresentation() {
    assertThat(ByteRange.parse(Optional.empty(), SIZE)).isEqualTo(new ByteRange.Whole());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bytes=0-99       | 0   | 99",
      "bytes=0-0        | 0   | 0",
      "bytes=999-999    | 999 | 999",
      "bytes=100-       | 100 | 999",
      "bytes=0-         | 0   | 999",
      "bytes=500-5000   | 500 | 999",
      "bytes=-10        | 990 | 999",
      "bytes=-1         | 999 | 999",
      "bytes=-1000      | 0   | 999",
      "bytes=-1001      | 0   | 999",
      "bytes=007-010    | 7   | 10",
      "bytes=-0000010   | 990 | 999",
      "Bytes=1-2        | 1   | 2",
      "BYTES=1-2        | 1   | 2"})
  void oneSatisfiableRangeIsServedPartially(String header, long first, long last) {
    assertThat(ByteRange.parse(Optional.of(header), SIZE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(first, last)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"  bytes=0-9  ", "bytes= 0-9", "bytes=0 - 9", "\tbytes=0-9\t",
      "bytes=0-9 "})
  void whitespaceAroundTheRangeIsTolerated(String header) {
    assertThat(ByteRange.parse(Optional.of(header), SIZE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(0, 9)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=5-2", "bytes=0-9,20-29", "bytes=0-9, 20-29", "bytes=0-9,",
      "items=0-1", "bytes 0-9", "bytes=abc", "bytes=", "bytes=-", "bytes=5", "bytes=a-9",
      "bytes=0-b", "bytes=+1-2", "bytes=-5-6", "bytes=0x10-20", "bytes=\u0661-\u0662", "",
      "bytes =0-9", "octets=0-9"})
  void invalidOtherUnitOrSeveralRangesAreIgnored(String header) {
    assertThat(ByteRange.parse(Optional.of(header), SIZE)).isEqualTo(new ByteRange.Whole());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=1000-", "bytes=1000-1000", "bytes=5000-6000", "bytes=-0",
      "bytes=-000"})
  void aRangeStartingAtOrAfterTheEndOrAnEmptySuffixIsUnsatisfiable(String header) {
    assertThat(ByteRange.parse(Optional.of(header), SIZE))
        .isEqualTo(new ByteRange.Unsatisfiable());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-", "bytes=0-0", "bytes=0-99", "bytes=5-", "bytes=-0"})
  void everyRangeButANonEmptySuffixIsUnsatisfiableOnAnEmptyRepresentation(String header) {
    assertThat(ByteRange.parse(Optional.of(header), 0)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void aNonEmptySuffixOfAnEmptyRepresentationIsAnsweredWithTheWholeEmptyBody() {
    // RFC 9110 §14.1.1: the only satisfiable range-spec of a zero-length representation.
    assertThat(ByteRange.parse(Optional.of("bytes=-10"), 0)).isEqualTo(new ByteRange.Whole());
  }

  @Test
  void hugeNumbersDoNotOverflow() {
    String twenty = "99999999999999999999";
    assertThat(ByteRange.parse(Optional.of("bytes=0-" + twenty), SIZE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(0, SIZE - 1)));
    assertThat(ByteRange.parse(Optional.of("bytes=-" + twenty), SIZE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(0, SIZE - 1)));
    assertThat(ByteRange.parse(Optional.of("bytes=" + twenty + "-"), SIZE))
        .isEqualTo(new ByteRange.Unsatisfiable());
    assertThat(ByteRange.parse(Optional.of("bytes=" + twenty + "-" + twenty), SIZE))
        .isEqualTo(new ByteRange.Unsatisfiable());
    assertThat(ByteRange.parse(Optional.of("bytes=9223372036854775807-"), Long.MAX_VALUE))
        .isEqualTo(new ByteRange.Unsatisfiable());
    assertThat(ByteRange.parse(Optional.of("bytes=-" + twenty), Long.MAX_VALUE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(0, Long.MAX_VALUE - 1)));
  }

  @Test
  void leadingZerosDoNotMakeANumberHuge() {
    String zeros = "0".repeat(30);
    assertThat(ByteRange.parse(Optional.of("bytes=" + zeros + "5-" + zeros + "9"), SIZE))
        .isEqualTo(new ByteRange.Partial(new ByteRange(5, 9)));
  }

  @Test
  void aRangeOfAVeryLargeRepresentationKeepsItsPositions() {
    long size = 5L * 1024 * 1024 * 1024 * 1024;
    assertThat(ByteRange.parse(Optional.of("bytes=4398046511104-"), size))
        .isEqualTo(new ByteRange.Partial(new ByteRange(4398046511104L, size - 1)));
  }

  @Test
  void contentRangeNamesBothEndsAndTheSize() {
    assertThat(new ByteRange(0, 99).contentRange(1000)).isEqualTo("bytes 0-99/1000");
    assertThat(new ByteRange(990, 999).contentRange(1000)).isEqualTo("bytes 990-999/1000");
  }

  @Test
  void lengthCountsBothEnds() {
    assertThat(new ByteRange(0, 0).length()).isEqualTo(1);
    assertThat(new ByteRange(10, 19).length()).isEqualTo(10);
  }

  @ParameterizedTest
  @CsvSource({"-1, 5", "5, 4", "0, -1", "-3, -2"})
  void refusesANegativeOrInvertedRange(long first, long last) {
    assertThatThrownBy(() -> new ByteRange(first, last))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid byte range " + first + "-" + last);
  }
}
