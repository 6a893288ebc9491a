package io.imagecache.internal.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import io.imagecache.internal.store.ImageIndex;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction that fails because the database is full reports SQLITE_FULL, not the "no
 * transaction is active" of the commit or rollback that follows once SQLite has rolled the
 * transaction back by itself. The full database is real: SQLite's {@code max_page_count} set to
 * the pages the database has, so the next page it needs makes it answer SQLITE_FULL.
 */
class SqliteFullDatabaseTest {
  private static final int IMAGES = 3000;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  private int pages;

  @BeforeEach
  void fillTheDatabase() throws Exception {
    try (SqliteIndex index = new SqliteIndex(dir)) {
      index.open();
      List<ImageIndex.Adoption> adoptions = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        adoptions.add(new ImageIndex.Adoption(id(i), dir.resolve("i" + i), 10, T0));
      }
      index.adoptAll(adoptions);
    }
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteIndex.FILE_NAME));
        Statement statement = connection.createStatement()) {
      // Packed: no free page and no slack left in the table's pages.
      statement.execute("VACUUM");
      try (ResultSet row = statement.executeQuery("PRAGMA page_count")) {
        row.next();
        pages = row.getInt(1);
      }
    }
  }

  @Test
  void aHitFlushIntoAFullDatabaseReportsTheFullDatabase() throws Exception {
    try (SqliteIndex index = new SqliteIndex(dir, Duration.ofSeconds(5), pages)) {
      index.open();
      Map<ImageId, Access> batch = new HashMap<>();
      for (int i = 0; i < IMAGES; i++) {
        // Each row grows by the bytes of a large hit count: the pages must split.
        batch.put(id(i), new Access(Long.MAX_VALUE / 4, T0.plusMillis(1000L * i + 1)));
      }

      CacheStoreException failure = catchThrowableOfType(
          () -> index.recordAccesses(batch), CacheStoreException.class);

      assertThat(failure).isNotNull();
      assertThat(failure.getMessage())
          .contains("SQLITE_FULL")
          .doesNotContain("no transaction is active");
      // Nothing of the batch was recorded, and the connection works on: back in autocommit.
      assertThat(index.get(id(0))).map(CachedImage::hits).contains(0L);
      index.remove(id(1));
      assertThat(index.get(id(1))).isEmpty();
    }
  }

  @Test
  void anAdoptionIntoAFullDatabaseReportsTheFullDatabase() throws Exception {
    try (SqliteIndex index = new SqliteIndex(dir, Duration.ofSeconds(5), pages)) {
      index.open();
      List<ImageIndex.Adoption> more = new ArrayList<>();
      for (int i = IMAGES; i < 2 * IMAGES; i++) {
        more.add(new ImageIndex.Adoption(id(i), dir.resolve("i" + i), 10, T0));
      }

      CacheStoreException failure = catchThrowableOfType(
          () -> index.adoptAll(more), CacheStoreException.class);

      assertThat(failure).isNotNull();
      assertThat(failure.getMessage())
          .contains("SQLITE_FULL")
          .doesNotContain("no transaction is active");
      assertThat(index.get(id(IMAGES))).isEmpty();
      assertThat(index.get(id(0))).isPresent();
    }
  }

  private static ImageId id(int i) {
    // Zero-padded, so that the rows go in in key order and fill their pages.
    return ImageId.of(String.format("img-%05d", i));
  }
}
