package io.imagecache.internal.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.ImageId;
import io.imagecache.PruneResult;
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

class PrunerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  @TempDir Path dir;
  private FileCacheDriver driver;

  @BeforeEach
  void openDriver() throws Exception {
    driver = new FileCacheDriver(dir, new SqliteIndex(dir), clock, false);
    driver.configure();
  }

  @AfterEach
  void closeDriver() throws Exception {
    driver.close();
  }

  @Test
  void anImageWithALiveFillIsNeverPruned() throws Exception {
    commit("oldest", 100);
    commit("middle", 100);
    commit("newest", 100);
    ImageId oldest = ImageId.of("oldest");
    Pruner pruner = new Pruner(driver, oldest::equals);

    assertThat(pruner.prune(100)).isEqualTo(new PruneResult(2, 200));

    assertThat(driver.isCached(oldest)).isTrue();
    assertThat(driver.isCached(ImageId.of("middle"))).isFalse();
    assertThat(driver.isCached(ImageId.of("newest"))).isFalse();
  }

  @Test
  void stopsWhenOnlySparedImagesAreLeft() throws Exception {
    commit("a", 100);
    commit("b", 100);
    driver.pin(ImageId.of("a"));
    Pruner pruner = new Pruner(driver, ImageId.of("b")::equals);

    assertThat(pruner.prune(0)).isEqualTo(PruneResult.NOTHING);
    assertThat(driver.cacheSize()).isEqualTo(200);
  }

  @Test
  void evictableBytesLeaveOutPinnedImagesAndLiveFills() throws Exception {
    commit("kept", 100);
    commit("filling", 200);
    commit("free", 400);
    driver.pin(ImageId.of("kept"));
    Pruner pruner = new Pruner(driver, ImageId.of("filling")::equals);

    assertThat(pruner.evictableBytes()).isEqualTo(400);
  }

  @Test
  void rejectsANegativeTarget() {
    Pruner pruner = new Pruner(driver, id -> false);

    assertThatThrownBy(() -> pruner.prune(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetSize must be >= 0: -1");
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
