package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.internal.store.CacheReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessFlushTest {
  private static final ImageId ID = ImageId.of("flushed");
  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void aHitCountsAtOnceAndReachesTheSqliteFileWithinTheFlushInterval() throws Exception {
    ImageCache cache = harness.open(
        CacheHarness.config(dir).flushInterval(Duration.ofMillis(200)).build());
    CacheHarness.cache(cache, ID.value(), CacheHarness.randomBytes(1, 4096));
    assertThat(storedHits()).isZero();

    try (CacheReader reader = cache.openCached(ID).orElseThrow()) {
      assertThat(reader.size()).isEqualTo(4096);
    }

    assertThat(cache.hitCount(ID)).isEqualTo(1);
    harness.scheduler.advance(Duration.ofMillis(199));
    assertThat(storedHits()).as("before the flush interval").isZero();

    harness.scheduler.advance(Duration.ofMillis(1));

    assertThat(storedHits()).isEqualTo(1);
    assertThat(cache.hitCount(ID)).isEqualTo(1);
  }

  @Test
  void closeWritesPendingHits() throws Exception {
    ImageCache cache = harness.open(
        CacheHarness.config(dir).flushInterval(Duration.ofHours(1)).build());
    CacheHarness.cache(cache, ID.value(), CacheHarness.randomBytes(1, 4096));
    for (int i = 0; i < 3; i++) {
      cache.openCached(ID).orElseThrow().close();
    }

    cache.close();

    assertThat(storedHits()).isEqualTo(3);
  }

  private long storedHits() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("cache.db");
    try (Connection connection = DriverManager.getConnection(url);
        PreparedStatement query =
            connection.prepareStatement("SELECT hits FROM cached_images WHERE image_id = ?")) {
      query.setString(1, ID.value());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getLong(1) : -1;
      }
    }
  }
}
