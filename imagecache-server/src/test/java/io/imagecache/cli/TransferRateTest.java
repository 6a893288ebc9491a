package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The rate and time left of {@code queue --wait} and {@code status}, from fixed samples. */
class TransferRateTest {
  private static final Instant START = Instant.parse("2026-12-02T08:00:00Z");

  @Test
  void theRateIsTheAverageSinceTheFillStarted() {
    assertThat(TransferRate.since(300L << 20, START, START.plusSeconds(4)))
        .map(TransferRate::text).contains("75.0 MiB/s");
    assertThat(TransferRate.since(1500, START, START.plusMillis(500)))
        .map(TransferRate::text).contains("2.9 KiB/s");
  }

  @Test
  void noRateBeforeAByteOrWithoutElapsedTime() {
    assertThat(TransferRate.since(0, START, START.plusSeconds(3))).isEmpty();
    assertThat(TransferRate.since(100, START, START)).isEmpty();
    assertThat(TransferRate.since(100, START, START.minusSeconds(1))).isEmpty();
  }

  @Test
  void timeLeftRoundsUpAndShowsItsTwoLargestUnits() {
    TransferRate tenMiB = new TransferRate(10 << 20);

    assertThat(TransferRate.text(tenMiB.timeFor(1))).isEqualTo("1s");
    assertThat(TransferRate.text(tenMiB.timeFor(45L * (10 << 20)))).isEqualTo("45s");
    assertThat(TransferRate.text(tenMiB.timeFor(187L * (10 << 20)))).isEqualTo("3m 07s");
    assertThat(TransferRate.text(tenMiB.timeFor(7500L * (10 << 20)))).isEqualTo("2h 05m");
    assertThat(TransferRate.text(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void aRateMustBePositive() {
    assertThatThrownBy(() -> new TransferRate(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate must be > 0 and finite: 0.0");
  }

  @Test
  void aFetchingLineShowsTheRateAndTimeLeftTheCachedLineDoesNot() {
    Optional<TransferRate> rate = TransferRate.since(256L << 20, START, START.plusSeconds(8));
    ImageProgress fetching = new ImageProgress("ubuntu", ImageProgress.Phase.FETCHING,
        256L << 20, OptionalLong.of(1L << 30), 1, Optional.empty(), rate);
    ImageProgress cached = new ImageProgress("ubuntu", ImageProgress.Phase.CACHED,
        1L << 30, OptionalLong.of(1L << 30), 1, Optional.empty(), Optional.empty());

    assertThat(fetching.line(6)).isEqualTo(
        "ubuntu  [######..................]  25%  256.0 MiB / 1.0 GiB  32.0 MiB/s  24s left"
            + "  fetching");
    assertThat(cached.line(6)).isEqualTo("ubuntu  [########################] 100%  1.0 GiB  cached");
  }
}
