package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

  @ParameterizedTest(name = "{0} is {1} bytes")
  @CsvSource({
      "0, 0",
      "1048576, 1048576",
      "512B, 512",
      "10GiB, 10737418240",
      "10 GiB, 10737418240",
      "10gib, 10737418240",
      "500MB, 500000000",
      "1.5GiB, 1610612736",
      "1KiB, 1024",
      "2kb, 2000",
      "3MiB, 3145728",
      "1TB, 1000000000000",
      "1TiB, 1099511627776",
      "0.1KiB, 102",
      "' 7GB ', 7000000000",
  })
  void parsesSizesWithAndWithoutUnits(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "''|invalid size \"\": expected a number of bytes with an optional unit (B, KB, MB, GB, TB,"
          + " KiB, MiB, GiB, TiB), e.g. 10GiB, 500MB, 1048576",
      "-5|invalid size \"-5\": expected a number of bytes with an optional unit (B, KB, MB, GB, TB,"
          + " KiB, MiB, GiB, TiB), e.g. 10GiB, 500MB, 1048576",
      "GiB|invalid size \"GiB\": expected a number of bytes with an optional unit (B, KB, MB, GB, TB,"
          + " KiB, MiB, GiB, TiB), e.g. 10GiB, 500MB, 1048576",
      "10XB|invalid size \"10XB\": unknown unit \"XB\"; expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB",
      "99999999TiB|invalid size \"99999999TiB\": larger than 9223372036854775807 bytes",
  })
  void rejectsWhatIsNotASizeNamingTheValue(String text, String message) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} bytes read {1}")
  @CsvSource({
      "0, 0 B",
      "1023, 1023 B",
      "1024, 1.0 KiB",
      "1536, 1.5 KiB",
      "1048575, 1.0 MiB",
      "10737418240, 10.0 GiB",
      "1610612736, 1.5 GiB",
      "9223372036854775807, 8.0 EiB",
  })
  void formatsSizesInBinaryUnits(long bytes, String text) {
    assertThat(Sizes.format(bytes)).isEqualTo(text);
  }
}
