package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIdTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "77ccf3ea-d629-4c55-932f-3672ae54842f", "77CCF3EA-D629-4C55-932F-3672AE54842F",
      "cirros-0.6.2-x86_64.img", "a", "_", "-", "...", "image.raw", "my-cache.db"})
  void acceptsGlanceUuidsAndSafeNames(String value) {
    assertThat(ImageId.of(value).value()).isEqualTo(value);
    assertThat(ImageId.isValid(value)).isTrue();
  }

  @Test
  void acceptsTwoHundredFiftyFiveCharactersAndRefusesMore() {
    assertThat(ImageId.isValid("a".repeat(255))).isTrue();
    assertThatThrownBy(() -> ImageId.of("a".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid image id \"" + "a".repeat(64) + "…(256 characters)\": expected 1-255"
            + " characters of letters, digits, '.', '_' or '-', and not '.' or '..'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "../etc/passwd", "a b", "a%2Fb", "ümlaut", "a\\b",
      "a:b", "*"})
  void refusesAnythingThatIsNotOneSafeFileName(String value) {
    assertThatThrownBy(() -> ImageId.of(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid image id \"")
        .hasMessageEndingWith("expected 1-255 characters of letters, digits, '.', '_' or '-',"
            + " and not '.' or '..'");
    assertThat(ImageId.isValid(value)).isFalse();
  }

  @Test
  void escapesControlCharactersInTheMessage() {
    assertThatThrownBy(() -> ImageId.of("a\u0000b\nc\"d"))
        .hasMessage("invalid image id \"a\\u0000b\\u000ac\\u0022d\": expected 1-255 characters"
            + " of letters, digits, '.', '_' or '-', and not '.' or '..'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"incomplete", "invalid", "queue", "pinned", "imagecache.lock",
      "admin-token", "checkme", "imagecache.probe", "cache.db", "cache.db-wal", "cache.db-journal", "cache.dbx"})
  void refusesTheNamesTheCacheDirectoryUsesForItself(String value) {
    assertThatThrownBy(() -> ImageId.of(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid image id \"" + value + "\": the name is reserved by the cache"
            + " directory");
  }

  @Test
  void refusesNull() {
    assertThatThrownBy(() -> ImageId.of(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image id is missing");
  }

  @Test
  void ordersByValueAndPrintsAsItsValue() {
    assertThat(ImageId.of("b").compareTo(ImageId.of("a"))).isPositive();
    assertThat(ImageId.of("abc")).hasToString("abc").isEqualTo(ImageId.of("abc"));
  }
}
