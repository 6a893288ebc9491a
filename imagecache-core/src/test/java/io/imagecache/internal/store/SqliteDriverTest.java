package io.imagecache.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract on the {@code sqlite} driver, plus Glance's {@code cache.db} and store failures. */
class SqliteDriverTest extends CacheDriverContractTest {
  /** Glance's statement, verbatim, as its sqlite driver runs it on a new cache directory. */
  private static final String GLANCE_SCHEMA = "CREATE TABLE IF NOT EXISTS cached_images ("
      + "image_id TEXT PRIMARY KEY, last_accessed REAL DEFAULT 0.0, last_modified REAL DEFAULT 0.0,"
      + " size INTEGER DEFAULT 0, hits INTEGER DEFAULT 0, checksum TEXT)";

  private static final ImageId GLANCE_A = ImageId.of("4f3c8bfa-8d58-4f34-8e3b-1c1f6a1a0c01");
  private static final ImageId GLANCE_B = ImageId.of("9b2d3c1e-2f6a-4a7b-9c8d-0e1f2a3b4c02");
  private static final ImageId GLANCE_ORPHAN = ImageId.of("c0ffee00-1234-4abc-8def-00000000cafe");

  @Override
  protected CacheDriver newDriver(Path dir) {
    return new FileCacheDriver(dir, new SqliteIndex(dir), clock, true);
  }

  @Test
  void theDatabaseAndItsWriteAheadLog_areNotReadableByOthers() throws IOException {
    cache(ImageId.of("1"), bytes(100, 1));

    for (String file : List.of("cache.db", "cache.db-wal", "cache.db-shm")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir.resolve(file))))
          .as("mode of %s", file).isEqualTo("rw-r-----");
    }
  }

  @Test
  void aGlanceCacheDirectory_isUsedAsItIs() throws Exception {
    Path glanceDir = Files.createDirectories(tempDir.resolve("glance-cache"));
    Files.createDirectories(glanceDir.resolve("incomplete"));
    Files.createDirectories(glanceDir.resolve("invalid"));
    Files.createDirectories(glanceDir.resolve("queue"));
    Files.write(glanceDir.resolve(GLANCE_A.value()), bytes(1000, 1));
    Files.write(glanceDir.resolve(GLANCE_B.value()), bytes(2000, 2));
    Files.write(glanceDir.resolve(GLANCE_ORPHAN.value()), bytes(3000, 3));
    try (Connection glance = jdbc(glanceDir)) {
      try (Statement statement = glance.createStatement()) {
        statement.execute(GLANCE_SCHEMA);
      }
      glanceRow(glance, GLANCE_A, 1_700_000_100.25, 1_700_000_000.5, 1000, 7);
      glanceRow(glance, GLANCE_B, 1_700_000_050.125, 1_700_000_010.75, 2000, 2);
    }
    List<String> schemaBefore = schema(glanceDir);

    try (CacheDriver adopted = newDriver(glanceDir)) {
      adopted.configure();
      RecoveryReport report = adopted.reconcile();

      assertThat(report.adopted()).containsExactly(GLANCE_ORPHAN);
      assertThat(report.dropped()).isEmpty();
      assertThat(report.unknownFiles()).isEmpty();
      List<CachedImage> images = adopted.cachedImages();
      assertThat(images).extracting(CachedImage::imageId)
          .containsExactly(GLANCE_A, GLANCE_B, GLANCE_ORPHAN);
      CachedImage a = images.get(0);
      assertThat(a.hits()).isEqualTo(7);
      assertThat(a.size()).isEqualTo(1000);
      assertThat(a.lastAccessed()).isEqualTo(Instant.ofEpochSecond(1_700_000_100, 250_000_000));
      assertThat(a.lastModified()).isEqualTo(Instant.ofEpochSecond(1_700_000_000, 500_000_000));
      assertThat(a.checksum()).isEmpty();
      assertThat(images.get(1).hits()).isEqualTo(2);
      assertThat(images.get(2).hits()).isZero();
      assertThat(images.get(2).size()).isEqualTo(3000);
      assertThat(adopted.leastRecentlyAccessed()).contains(new LruEntry(GLANCE_B, 2000));
      assertThat(adopted.cacheSize()).isEqualTo(6000);
      try (CacheReader reader = adopted.openForRead(GLANCE_A).orElseThrow()) {
        assertThat(readFrom(reader.channel(), 0, reader.size())).isEqualTo(bytes(1000, 1));
      }
      assertThat(adopted.hitCount(GLANCE_A)).isEqualTo(8);
    }
    assertThat(schema(glanceDir)).isEqualTo(schemaBefore);
    assertThat(glanceHits(glanceDir, GLANCE_A)).isEqualTo(8);
  }

  @Test
  void theIndex_isInWalMode() throws SQLException {
    try (Connection c = jdbc(cacheDir);
        Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery("PRAGMA journal_mode")) {
      row.next();
      assertThat(row.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void timestamps_areStoredAsFloatEpochSeconds() throws Exception {
    clock.set(Instant.ofEpochSecond(1_800_000_000, 125_000_000));
    cache(id("1"), bytes(10, 1));
    clock.advance(Duration.ofMillis(500));
    read(id("1"));
    driver.flushAccesses();

    try (Connection c = jdbc(cacheDir);
        Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery("SELECT typeof(last_accessed), last_accessed,"
            + " typeof(last_modified), last_modified, hits, checksum FROM cached_images")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo("real");
      assertThat(row.getDouble(2)).isEqualTo(1_800_000_000.625);
      assertThat(row.getString(3)).isEqualTo("real");
      assertThat(row.getDouble(4)).isEqualTo(1_800_000_000.125);
      assertThat(row.getLong(5)).isEqualTo(1);
      assertThat(row.getString(6)).isEqualTo(md5(bytes(10, 1)));
    }
  }

  @Test
  void lastAccessed_neverMovesBackwards_whenAnOlderAccessIsFlushedLater() throws Exception {
    cache(id("1"), bytes(10, 1));
    Instant later = clock.advance(Duration.ofHours(1));
    read(id("1"));
    driver.flushAccesses();
    clock.set(later.minus(Duration.ofMinutes(30)));
    read(id("1"));
    driver.flushAccesses();

    CachedImage image = driver.cachedImage(id("1")).orElseThrow();
    assertThat(image.lastAccessed()).isEqualTo(later);
    assertThat(image.hits()).isEqualTo(2);
  }

  @Test
  void aStoreFailure_surfacesAsCacheStoreException_andFailsTheCommit() throws Exception {
    cache(id("1"), bytes(10, 1));
    dropTable(cacheDir);

    assertThatThrownBy(driver::cachedImages)
        .isInstanceOf(CacheStoreException.class)
        .hasMessageContaining("select")
        .hasMessageContaining("no such table");
    CacheWriter writer = driver.openForWrite(id("2"), ExpectedContent.unknown())
        .orElseThrow();
    writer.write(ByteBuffer.wrap(bytes(20, 2)));
    assertThatThrownBy(writer::commit)
        .isInstanceOf(CacheStoreException.class)
        .hasMessageContaining("insert");
    writer.close();
    assertThat(driver.isCached(id("2"))).isFalse();
    assertThat(cacheDir.resolve("invalid/2")).hasBinaryContent(bytes(20, 2));
    recreateTable(cacheDir);
  }

  @Test
  void hitsThatFailToFlush_areKeptForTheNextFlush() throws Exception {
    cache(id("1"), bytes(10, 1));
    read(id("1"));
    read(id("1"));
    dropTable(cacheDir);

    assertThatThrownBy(driver::flushAccesses)
        .isInstanceOf(CacheStoreException.class)
        .hasMessageContaining("update of hits");

    recreateTable(cacheDir);
    try (Connection c = jdbc(cacheDir)) {
      glanceRow(c, id("1"), 0.0, 0.0, 10, 0);
    }
    driver.flushAccesses();
    assertThat(glanceHits(cacheDir, id("1"))).isEqualTo(2);
  }

  @Test
  void configure_overAFileThatIsNotADatabase_failsNamingIt() throws Exception {
    Path dir = Files.createDirectories(tempDir.resolve("corrupt"));
    Path database = Files.write(dir.resolve("cache.db"), bytes(4096, 42));

    try (CacheDriver broken = newDriver(dir)) {
      assertThatThrownBy(broken::configure)
          .isInstanceOf(BadDriverConfigurationException.class)
          .hasMessageContaining(database.toString());
    }
  }

  @Test
  void aClosedIndex_refusesWork() throws IOException {
    SqliteIndex index = new SqliteIndex(cacheDir);

    assertThatThrownBy(() -> index.get(id("1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not open");
    index.close();
  }

  // ---------------------------------------------------------------- helpers

  private static Connection jdbc(Path dir) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cache.db"));
  }

  private static void glanceRow(
      Connection c, ImageId id, double lastAccessed, double lastModified, long size, long hits)
      throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO cached_images"
        + " (image_id, last_accessed, last_modified, size, hits) VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, id.value());
      insert.setDouble(2, lastAccessed);
      insert.setDouble(3, lastModified);
      insert.setLong(4, size);
      insert.setLong(5, hits);
      insert.executeUpdate();
    }
  }

  private static long glanceHits(Path dir, ImageId id) throws SQLException {
    try (Connection c = jdbc(dir);
        PreparedStatement select =
            c.prepareStatement("SELECT hits FROM cached_images WHERE image_id = ?")) {
      select.setString(1, id.value());
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).as("row of %s", id).isTrue();
        return row.getLong(1);
      }
    }
  }

  private static List<String> schema(Path dir) throws SQLException {
    List<String> sql = new ArrayList<>();
    try (Connection c = jdbc(dir);
        Statement statement = c.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")) {
      while (row.next()) {
        sql.add(row.getString(1) + " " + row.getString(2) + " " + row.getString(3));
      }
    }
    return sql;
  }

  private static void dropTable(Path dir) throws SQLException {
    try (Connection c = jdbc(dir); Statement statement = c.createStatement()) {
      statement.execute("DROP TABLE cached_images");
    }
  }

  private static void recreateTable(Path dir) throws SQLException {
    try (Connection c = jdbc(dir); Statement statement = c.createStatement()) {
      statement.execute(GLANCE_SCHEMA);
    }
  }
}
