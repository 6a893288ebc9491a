package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheConfig;
import io.imagecache.CacheStats;
import io.imagecache.ImageId;
import io.imagecache.PruneResult;
import io.imagecache.internal.CacheCounters;
import io.imagecache.internal.store.CacheWriter;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SizeBoundTest {
  private static final int KIB = 1024;

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final CacheCounters counters = new CacheCounters();
  private FileCacheDriver driver;
  private SizeBound bound;

  @BeforeEach
  void openDriver() throws Exception {
    driver = new FileCacheDriver(dir, new SqliteIndex(dir), clock, false);
    driver.configure();
    CacheConfig config = CacheConfig.builder(dir)
        .maxSize(10 * KIB).highWater(0.8).lowWater(0.5).build();
    bound = new SizeBound(driver, new Pruner(driver, id -> false), config, counters);
  }

  @AfterEach
  void closeDriver() throws Exception {
    driver.close();
  }

  @Test
  void beforeTheFirstMeasurementEveryCommitAsksForACheck() {
    assertThat(bound.committed(1)).isTrue();
  }

  @Test
  void aCommitAsksForACheckOnlyWhenItMayCrossTheHighWaterMark() throws Exception {
    commit("a", 5 * KIB);
    bound.measure();

    assertThat(bound.committed(2 * KIB)).isFalse();
    assertThat(bound.committed(2 * KIB)).isTrue();
  }

  @Test
  void enforcePrunesToTheLowWaterMarkAndMeasuresAgain() throws Exception {
    for (int i = 0; i < 9; i++) {
      commit(String.valueOf(i), KIB);
    }

    assertThat(bound.enforce()).isEqualTo(new PruneResult(4, 4 * KIB));

    assertThat(driver.cacheSize()).isEqualTo(5 * KIB);
    assertThat(bound.committed(3 * KIB)).isFalse();
    assertThat(bound.committed(KIB)).isTrue();
    assertThat(bound.enforce()).isEqualTo(PruneResult.NOTHING);
    CacheStats stats = counters.snapshot(0, 0, 0, 0, 0);
    assertThat(stats.evictions()).isEqualTo(4);
    assertThat(stats.bytesEvicted()).isEqualTo(4 * KIB);
  }

  private void commit(String id, int size) throws Exception {
    try (CacheWriter writer =
        driver.openForWrite(ImageId.of(id), ExpectedContent.unknown()).orElseThrow()) {
      writer.write(ByteBuffer.allocate(size));
      writer.commit();
    }
    clock.advance(Duration.ofSeconds(1));
  }
}
