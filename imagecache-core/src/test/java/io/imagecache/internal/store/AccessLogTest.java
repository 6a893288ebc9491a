package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private static final ImageId ID = ImageId.of("img");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);

  @Test
  void pendingHitsAddUpAndKeepTheLatestAccess() {
    AccessLog log = new AccessLog();
    log.record(ID, T1);
    log.record(ID, T0);

    assertThat(log.pending(ID)).contains(new Access(2, T1));
    assertThat(log.withPending(image(5, T0))).isEqualTo(image(7, T1));
  }

  @Test
  void aRestoredBatchMergesWithHitsCountedMeanwhileCappedAtLongMax() {
    AccessLog log = new AccessLog();
    log.record(ID, T0);
    log.restore(Map.of(ID, new Access(Long.MAX_VALUE, T0)));

    assertThat(log.pending(ID)).contains(new Access(Long.MAX_VALUE, T0));
  }

  @Test
  void pendingHitsOnTopOfStoredOnesAreCappedAtLongMax() {
    AccessLog log = new AccessLog();
    log.record(ID, T0);

    assertThat(log.withPending(image(Long.MAX_VALUE, T1))).isEqualTo(image(Long.MAX_VALUE, T1));
  }

  @Test
  void aRecordedBatchMovesARememberedEntryForwardCappedLikeThePendingHits() {
    ReentrantLock guard = new ReentrantLock();
    EntryCache entries = new EntryCache(guard, new HeldFiles(4));
    guard.lock();
    try {
      entries.put(ID, image(Long.MAX_VALUE - 1, T0));
      entries.recorded(Map.of(ID, new Access(3, T1)));
    } finally {
      guard.unlock();
    }

    assertThat(entries.matching(ID, 10)).isEqualTo(Optional.of(image(Long.MAX_VALUE, T1)));
  }

  private static CachedImage image(long hits, Instant lastAccessed) {
    return new CachedImage(ID, 10, hits, lastAccessed, T0, Optional.empty());
  }
}
