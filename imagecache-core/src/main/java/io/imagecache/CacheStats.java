package io.imagecache;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of one cache's sizes and counters, for metrics. Counters count since the cache was
 * opened; sizes are read when the snapshot is taken.
 *
 * @param cachedBytes bytes taken by committed images
 * @param cachedImages committed images the metadata store knows
 * @param reservedBytes bytes reserved by fills in progress that announced their size
 * @param fillsInProgress fills that have not ended yet
 * @param waitingReaders readers waiting for bytes a fill has not written yet
 * @param originFetches fills that fetched their image from their origin (a fleet node's fill that
 *     peers served alone is not one)
 * @param originBytesRead body bytes fills read from their origins, not from peers of the fleet
 *     (bytes streamed through without caching are not counted)
 * @param fillsCommitted fills that wrote and committed their image
 * @param fillFailures fills that ended without caching their image, by reason; every reason is
 *     present (0 when it never happened)
 * @param evictions images removed by prunes: manual, automatic and those making room for a fill
 * @param bytesEvicted bytes those prunes removed
 * @param peerBytesRead body bytes fills read from peers of the fleet instead of the origin
 */
public record CacheStats(
    long cachedBytes, long cachedImages, long reservedBytes, int fillsInProgress,
    long waitingReaders, long originFetches, long originBytesRead, long fillsCommitted,
    Map<FillFailureReason, Long> fillFailures, long evictions, long bytesEvicted,
    long peerBytesRead) {

  public CacheStats {
    requireNotNegative("cachedBytes", cachedBytes);
    requireNotNegative("cachedImages", cachedImages);
    requireNotNegative("reservedBytes", reservedBytes);
    requireNotNegative("fillsInProgress", fillsInProgress);
    requireNotNegative("waitingReaders", waitingReaders);
    requireNotNegative("originFetches", originFetches);
    requireNotNegative("originBytesRead", originBytesRead);
    requireNotNegative("fillsCommitted", fillsCommitted);
    requireNotNegative("evictions", evictions);
    requireNotNegative("bytesEvicted", bytesEvicted);
    requireNotNegative("peerBytesRead", peerBytesRead);
    Objects.requireNonNull(fillFailures, "fillFailures");
    EnumMap<FillFailureReason, Long> complete = new EnumMap<>(FillFailureReason.class);
    for (FillFailureReason reason : FillFailureReason.values()) {
      long count = fillFailures.getOrDefault(reason, 0L);
      requireNotNegative("fillFailures[" + reason.key() + "]", count);
      complete.put(reason, count);
    }
    fillFailures = Collections.unmodifiableMap(complete);
  }

  /** Fills that failed for {@code reason}. */
  public long fillFailures(FillFailureReason reason) {
    return fillFailures.get(Objects.requireNonNull(reason, "reason"));
  }

  private static void requireNotNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0: " + value);
    }
  }
}
