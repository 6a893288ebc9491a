package io.imagecache.internal.store.sqlite;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.FileModes;
import io.imagecache.internal.store.ImageIndex;
import io.imagecache.internal.store.JdbcTransaction;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The {@code sqlite} driver's index: Glance's {@code cache.db} in the cache directory, with
 * Glance's {@code cached_images} table and float epoch-second timestamps, so that a Glance cache
 * directory is used as it is. Opened in WAL mode with {@code synchronous=NORMAL} and a busy
 * timeout. Every statement runs on one connection, one at a time, under a lock: the index sees a
 * few writes per commit and one batch per access flush, so one connection is plenty and keeps the
 * behaviour simple. Every {@link SQLException} becomes a {@link CacheStoreException} naming the
 * operation; nothing is swallowed.
 */
public final class SqliteIndex implements ImageIndex {
  /** Glance's default {@code image_cache_sqlite_db}. */
  public static final String FILE_NAME = "cache.db";

  private static final Logger log = LoggerFactory.getLogger(SqliteIndex.class);
  /** How long a statement waits for another connection's lock before it fails (Glance: 2 s). */
  static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

  private final Path databaseFile;
  private final Duration busyTimeout;
  /** SQLite's {@code max_page_count} for the connection; 0 leaves SQLite's default. */
  private final int maxPageCount;
  /** Serializes every use of {@link #connection}, including its statements (store I/O only). */
  private final ReentrantLock lock = new ReentrantLock();
  /**
   * The one connection; null before {@link #open()} and after {@link #close()}.
   * Guarded by lock.
   */
  private Connection connection;

  /** An index in {@code <cacheDir>/cache.db}; nothing is opened before {@link #open()}. */
  public SqliteIndex(Path cacheDir) {
    this(cacheDir, DEFAULT_BUSY_TIMEOUT);
  }

  /** An index whose statements wait up to {@code busyTimeout} for a lock held elsewhere. */
  SqliteIndex(Path cacheDir, Duration busyTimeout) {
    this(cacheDir, busyTimeout, 0);
  }

  /**
   * An index whose database may grow to {@code maxPageCount} pages (0: SQLite's default), beyond
   * which SQLite fails a write with {@code SQLITE_FULL} as on a full disk (for tests).
   */
  SqliteIndex(Path cacheDir, Duration busyTimeout, int maxPageCount) {
    this.databaseFile = Objects.requireNonNull(cacheDir, "cacheDir").resolve(FILE_NAME);
    this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (maxPageCount < 0) {
      throw new IllegalArgumentException("maxPageCount must be >= 0: " + maxPageCount);
    }
    this.maxPageCount = maxPageCount;
  }

  /** The database file. */
  public Path databaseFile() {
    return databaseFile;
  }

  @Override
  public void open() throws BadDriverConfigurationException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    if (maxPageCount > 0) {
      config.setMaxPageCount(maxPageCount);
    }
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + databaseFile);
    Connection opened = null;
    try {
      // SQLite would create it under the umask; its -wal and -shm files take the database's mode.
      FileModes.createIfAbsent(databaseFile);
      opened = dataSource.getConnection();
      try (Statement statement = opened.createStatement()) {
        statement.execute(CachedImagesTable.CREATE);
      }
    } catch (SQLException | IOException e) {
      closeQuietly(opened);
      throw new BadDriverConfigurationException(
          "cannot use " + databaseFile + " as the sqlite cache index: " + e.getMessage(), e);
    }
    lock.lock();
    try {
      if (connection != null) {
        closeQuietly(opened);
        throw new IllegalStateException("the sqlite index " + databaseFile + " is open already");
      }
      connection = opened;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void put(ImageId id, Path file, long size, Instant now, Optional<String> checksum)
      throws IOException {
    run("insert or replace of image " + id, c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.PUT)) {
        statement.setString(1, id.value());
        statement.setDouble(2, EpochSeconds.of(now));
        statement.setDouble(3, EpochSeconds.of(now));
        statement.setLong(4, size);
        statement.setString(5, checksum.orElse(null));
        statement.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void adopt(ImageId id, Path file, long size, Instant modified) throws IOException {
    run("insert of adopted image " + id, c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.ADOPT)) {
        statement.setString(1, id.value());
        statement.setDouble(2, EpochSeconds.of(modified));
        statement.setDouble(3, EpochSeconds.of(modified));
        statement.setLong(4, size);
        statement.executeUpdate();
      }
      return null;
    });
  }

  /** One transaction for the whole list. */
  @Override
  public void adoptAll(List<Adoption> files) throws IOException {
    if (files.isEmpty()) {
      return;
    }
    runInTransaction("insert of " + files.size() + " adopted images", c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.ADOPT)) {
        for (Adoption file : files) {
          statement.setString(1, file.id().value());
          statement.setDouble(2, EpochSeconds.of(file.modified()));
          statement.setDouble(3, EpochSeconds.of(file.modified()));
          statement.setLong(4, file.size());
          statement.addBatch();
        }
        statement.executeBatch();
      }
      return null;
    });
  }

  @Override
  public void remove(ImageId id) throws IOException {
    run("delete of image " + id, c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.REMOVE)) {
        statement.setString(1, id.value());
        statement.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void removeAll() throws IOException {
    run("delete of every image", c -> {
      try (Statement statement = c.createStatement()) {
        statement.executeUpdate(CachedImagesTable.REMOVE_ALL);
      }
      return null;
    });
  }

  @Override
  public Optional<CachedImage> get(ImageId id) throws IOException {
    return run("select of image " + id, c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.GET)) {
        statement.setString(1, id.value());
        try (ResultSet row = statement.executeQuery()) {
          return row.next() ? Optional.of(CachedImagesTable.toImage(row)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public List<CachedImage> list() throws IOException {
    return run("select of every image", c -> {
      List<CachedImage> images = new ArrayList<>();
      try (Statement statement = c.createStatement();
          ResultSet row = statement.executeQuery(CachedImagesTable.LIST)) {
        while (row.next()) {
          if (CachedImagesTable.hasValidId(row)) {
            images.add(CachedImagesTable.toImage(row));
          } else {
            log.warn("{}: skipping a cached_images row whose image_id \"{}\" is not an image id",
                databaseFile, row.getString("image_id"));
          }
        }
      }
      return images;
    });
  }

  /** One id-only query; rows whose id is not an image id are skipped, as by {@link #list()}. */
  @Override
  public Set<ImageId> ids() throws IOException {
    return run("select of every image id", c -> {
      Set<ImageId> ids = new HashSet<>();
      try (Statement statement = c.createStatement();
          ResultSet row = statement.executeQuery(CachedImagesTable.IDS)) {
        while (row.next()) {
          String id = row.getString(1);
          if (ImageId.isValid(id)) {
            ids.add(ImageId.of(id));
          }
        }
      }
      return ids;
    });
  }

  @Override
  public void check() throws IOException {
    run("check", c -> {
      try (Statement statement = c.createStatement();
          ResultSet row = statement.executeQuery("SELECT 1")) {
        return row.next();
      }
    });
  }

  @Override
  public Optional<ImageId> leastRecentlyAccessed() throws IOException {
    return run("select of the least recently accessed image", c -> {
      try (Statement statement = c.createStatement();
          ResultSet row = statement.executeQuery(CachedImagesTable.BY_ACCESS)) {
        while (row.next()) {
          if (CachedImagesTable.hasValidId(row)) {
            return Optional.of(ImageId.of(row.getString("image_id")));
          }
        }
      }
      return Optional.empty();
    });
  }

  @Override
  public void recordAccesses(Map<ImageId, Access> accesses) throws IOException {
    if (accesses.isEmpty()) {
      return;
    }
    runInTransaction("update of hits and access times of " + accesses.size() + " images", c -> {
      try (PreparedStatement statement = c.prepareStatement(CachedImagesTable.RECORD_ACCESS)) {
        for (Map.Entry<ImageId, Access> entry : accesses.entrySet()) {
          statement.setLong(1, entry.getValue().hits());
          statement.setDouble(2, EpochSeconds.of(entry.getValue().lastAccessed()));
          statement.setString(3, entry.getKey().value());
          statement.addBatch();
        }
        statement.executeBatch();
      }
      return null;
    });
  }

  /** Closes the connection; closing an index that is not open does nothing. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (connection == null) {
        return;
      }
      Connection closing = connection;
      connection = null;
      closing.close();
    } catch (SQLException e) {
      throw new CacheStoreException("closing the sqlite index " + databaseFile + " failed", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "SqliteIndex[" + databaseFile + "]";
  }

  /** Runs {@code work} on the connection under the lock, naming {@code operation} on failure. */
  private <T> T run(String operation, SqlWork<T> work) throws CacheStoreException {
    lock.lock();
    try {
      if (connection == null) {
        throw new IllegalStateException("the sqlite index " + databaseFile + " is not open");
      }
      return work.run(connection);
    } catch (SQLException e) {
      throw new CacheStoreException(
          "sqlite " + operation + " in " + databaseFile + " failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #run} in one transaction: committed when {@code work} returns, else rolled back. A
   * failure reports its first cause (SQLITE_FULL, say), not the rollback's (see JdbcTransaction).
   */
  private <T> T runInTransaction(String operation, SqlWork<T> work) throws CacheStoreException {
    return run(operation, c -> JdbcTransaction.run(c, work::run));
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("closing a sqlite connection failed", e);
    }
  }

  /** Statements run on the index's connection. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }
}
