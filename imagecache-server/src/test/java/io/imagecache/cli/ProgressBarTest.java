package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void theBarFillsInProportionAndThePercentRoundsDown() {
    assertThat(ProgressBar.render(0, 1000)).isEqualTo("[........................]   0%");
    assertThat(ProgressBar.render(500, 1000)).isEqualTo("[############............]  50%");
    assertThat(ProgressBar.render(1000, 1000)).isEqualTo("[########################] 100%");
  }

  @Test
  void hundredPercentAndAFullBarOnlyWhenEveryByteIsThere() {
    assertThat(ProgressBar.render(999_999, 1_000_000)).isEqualTo("[#######################.]  99%");
  }

  @Test
  void anEmptyImageIsComplete() {
    assertThat(ProgressBar.render(0, 0)).isEqualTo("[########################] 100%");
  }

  @Test
  void moreBytesThanExpectedShowAsComplete() {
    assertThat(ProgressBar.render(1200, 1000)).endsWith("100%");
  }

  @Test
  void negativeBytesAreRejected() {
    assertThatThrownBy(() -> ProgressBar.render(-1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytes must be >= 0: -1 of 10");
  }
}
