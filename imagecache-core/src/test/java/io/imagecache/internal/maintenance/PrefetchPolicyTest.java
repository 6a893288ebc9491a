package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrefetchPolicyTest {
  @Test
  void defaultsAreTwoWorkersFiveAttemptsAndRetriesFromOneSecond() {
    assertThat(PrefetchPolicy.defaults()).isEqualTo(
        new PrefetchPolicy(2, 5, Duration.ofSeconds(1), Duration.ofMinutes(5)));
  }

  @Test
  void theRetryDelayDoublesAfterEachFailureUpToTheCap() {
    PrefetchPolicy policy = PrefetchPolicy.defaults();

    assertThat(IntStream.rangeClosed(1, 11).mapToObj(policy::retryDelay).map(Duration::toSeconds))
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L);
    assertThat(policy.retryDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aHugeCapNeverOverflows() {
    PrefetchPolicy policy = new PrefetchPolicy(
        1, 100, Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE));

    assertThat(policy.retryDelay(62)).isEqualTo(Duration.ofSeconds(1L << 61));
    assertThat(policy.retryDelay(100)).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
  }

  @Test
  void rejectsSettingsThatCannotWorkNamingTheValue() {
    assertThatThrownBy(() -> PrefetchPolicy.of(0, 5))
        .hasMessage("workers must be >= 1: 0");
    assertThatThrownBy(() -> PrefetchPolicy.of(2, 0))
        .hasMessage("maxAttempts must be >= 1: 0");
    assertThatThrownBy(() -> new PrefetchPolicy(2, 5, Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("firstRetryDelay must be > 0: PT0S");
    assertThatThrownBy(() -> new PrefetchPolicy(2, 5, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("maxRetryDelay must be >= firstRetryDelay (PT2S): PT1S");
    assertThatThrownBy(() -> PrefetchPolicy.defaults().retryDelay(0))
        .hasMessage("failedAttempts must be >= 1: 0");
  }
}
