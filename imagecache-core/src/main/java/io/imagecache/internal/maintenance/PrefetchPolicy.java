package io.imagecache.internal.maintenance;

import io.imagecache.CacheConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link PrefetchQueue} works: how many images it fetches at once, how often it tries one,
 * and how long it waits between tries (doubling from {@code firstRetryDelay}, at most
 * {@code maxRetryDelay}).
 *
 * @param workers images fetched at once (at least 1)
 * @param maxAttempts attempts per image before it is given up as failed (at least 1)
 * @param firstRetryDelay the wait after the first failure (positive)
 * @param maxRetryDelay the longest wait (at least {@code firstRetryDelay})
 */
public record PrefetchPolicy(
    int workers, int maxAttempts, Duration firstRetryDelay, Duration maxRetryDelay) {
  public static final Duration DEFAULT_FIRST_RETRY_DELAY = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofMinutes(5);

  public PrefetchPolicy {
    Objects.requireNonNull(firstRetryDelay, "firstRetryDelay");
    Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1: " + workers);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    if (firstRetryDelay.isNegative() || firstRetryDelay.isZero()) {
      throw new IllegalArgumentException("firstRetryDelay must be > 0: " + firstRetryDelay);
    }
    if (maxRetryDelay.compareTo(firstRetryDelay) < 0) {
      throw new IllegalArgumentException("maxRetryDelay must be >= firstRetryDelay ("
          + firstRetryDelay + "): " + maxRetryDelay);
    }
  }

  /** {@link CacheConfig}'s workers and attempts, retries after 1 s, 2 s, 4 s… (at most 5 min). */
  public static PrefetchPolicy defaults() {
    return of(CacheConfig.DEFAULT_PREFETCH_WORKERS, CacheConfig.DEFAULT_PREFETCH_MAX_ATTEMPTS);
  }

  /** {@code workers} and {@code maxAttempts} with the default delays. */
  public static PrefetchPolicy of(int workers, int maxAttempts) {
    return new PrefetchPolicy(
        workers, maxAttempts, DEFAULT_FIRST_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY);
  }

  /**
   * The wait after the {@code failedAttempts}-th failure (1-based): the first delay, doubled for
   * each failure after the first, at most the cap.
   */
  public Duration retryDelay(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be >= 1: " + failedAttempts);
    }
    Duration delay = firstRetryDelay;
    Duration half = maxRetryDelay.dividedBy(2);
    for (int i = 1; i < failedAttempts; i++) {
      if (delay.compareTo(half) > 0) {
        return maxRetryDelay;
      }
      delay = delay.multipliedBy(2);
    }
    return delay;
  }
}
