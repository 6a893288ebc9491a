package io.imagecache.internal;

import io.imagecache.CacheStats;
import io.imagecache.FillFailureReason;
import io.imagecache.PruneResult;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link CacheStats}: origin fetches and bytes, commits, failures by reason
 * and evictions, counted since the cache was opened. The one owner of these counters; every
 * field is a {@link LongAdder} (the failure map is filled in the constructor and never changed),
 * so any thread may count and read without a lock. A snapshot reads the adders one after another:
 * it is not atomic across counters, which is fine for metrics.
 */
public final class CacheCounters {
  private final LongAdder originFetches = new LongAdder();
  private final LongAdder originBytesRead = new LongAdder();
  private final LongAdder peerBytesRead = new LongAdder();
  private final LongAdder fillsCommitted = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder bytesEvicted = new LongAdder();
  /** One adder per reason; the map itself is never changed after construction. */
  private final Map<FillFailureReason, LongAdder> failures = new EnumMap<>(FillFailureReason.class);

  public CacheCounters() {
    for (FillFailureReason reason : FillFailureReason.values()) {
      failures.put(reason, new LongAdder());
    }
  }

  public void originFetch() {
    originFetches.increment();
  }

  public void originBytesRead(long bytes) {
    originBytesRead.add(bytes);
  }

  public void peerBytesRead(long bytes) {
    peerBytesRead.add(bytes);
  }

  public void fillCommitted() {
    fillsCommitted.increment();
  }

  public void fillFailed(FillFailureReason reason) {
    failures.get(reason).increment();
  }

  /** Counts what one prune removed. */
  public void evicted(PruneResult result) {
    evictions.add(result.filesPruned());
    bytesEvicted.add(result.bytesPruned());
  }

  /** The counters now, with the sizes the caller read. */
  public CacheStats snapshot(long cachedBytes, long cachedImages, long reservedBytes,
      int fillsInProgress, long waitingReaders) {
    Map<FillFailureReason, Long> failed = new EnumMap<>(FillFailureReason.class);
    failures.forEach((reason, count) -> failed.put(reason, count.sum()));
    return new CacheStats(cachedBytes, cachedImages, reservedBytes, fillsInProgress,
        waitingReaders, originFetches.sum(), originBytesRead.sum(), fillsCommitted.sum(), failed,
        evictions.sum(), bytesEvicted.sum(), peerBytesRead.sum());
  }
}
