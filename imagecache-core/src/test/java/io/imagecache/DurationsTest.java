package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "500ms, PT0.5S",
      "90s, PT1M30S",
      "30m, PT30M",
      "24h, PT24H",
      "2d, PT48H",
      "86400, PT24H",
      "0s, PT0S",
      "5 M, PT5M",
  })
  void parsesDurationsWithAUnit(String text, Duration duration) {
    assertThat(Durations.parse(text)).isEqualTo(duration);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "''|invalid duration \"\": expected a whole number with a unit (ms, s, m, h, d), e.g. 90s,"
          + " 30m, 24h",
      "-5s|invalid duration \"-5s\": expected a whole number with a unit (ms, s, m, h, d), e.g."
          + " 90s, 30m, 24h",
      "1.5h|invalid duration \"1.5h\": expected a whole number with a unit (ms, s, m, h, d), e.g."
          + " 90s, 30m, 24h",
      "5w|invalid duration \"5w\": unknown unit \"w\"; expected ms, s, m, h or d",
      "99999999999999999999d|invalid duration \"99999999999999999999d\": too large",
      "999999999999999d|invalid duration \"999999999999999d\": too large",
  })
  void rejectsWhatIsNotADurationNamingTheValue(String text, String message) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} reads {1}")
  @CsvSource({
      "PT24H, 1d",
      "PT25H, 25h",
      "PT1M30S, 90s",
      "PT0.5S, 500ms",
      "PT0S, 0s",
      "PT-5S, -5s",
      "PT0.000001S, 1000ns",
  })
  void formatsDurationsInTheLargestExactUnit(Duration duration, String text) {
    assertThat(Durations.format(duration)).isEqualTo(text);
  }
}
