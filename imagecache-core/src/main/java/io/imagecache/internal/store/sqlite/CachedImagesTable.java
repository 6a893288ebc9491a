package io.imagecache.internal.store.sqlite;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Glance's {@code cached_images} table, column for column, and the SQL the index runs on it. An
 * existing Glance {@code cache.db} is used as it is: nothing is added to its schema.
 */
final class CachedImagesTable {
  private CachedImagesTable() {}

  /** Glance's schema ({@code glance/image_cache/drivers/sqlite.py}), made only when missing. */
  static final String CREATE = "CREATE TABLE IF NOT EXISTS cached_images ("
      + "image_id TEXT PRIMARY KEY, "
      + "last_accessed REAL DEFAULT 0.0, "
      + "last_modified REAL DEFAULT 0.0, "
      + "size INTEGER DEFAULT 0, "
      + "hits INTEGER DEFAULT 0, "
      + "checksum TEXT)";

  private static final String COLUMNS =
      "image_id, last_accessed, last_modified, size, hits, checksum";

  static final String PUT = "INSERT OR REPLACE INTO cached_images (" + COLUMNS
      + ") VALUES (?, ?, ?, ?, 0, ?)";

  static final String ADOPT = "INSERT OR IGNORE INTO cached_images (" + COLUMNS
      + ") VALUES (?, ?, ?, ?, 0, NULL)";

  static final String REMOVE = "DELETE FROM cached_images WHERE image_id = ?";

  static final String REMOVE_ALL = "DELETE FROM cached_images";

  static final String GET = "SELECT " + COLUMNS + " FROM cached_images WHERE image_id = ?";

  static final String IDS = "SELECT image_id FROM cached_images";

  static final String LIST = "SELECT " + COLUMNS + " FROM cached_images ORDER BY image_id";

  static final String BY_ACCESS =
      "SELECT image_id FROM cached_images ORDER BY last_accessed, image_id";

  static final String RECORD_ACCESS = "UPDATE cached_images "
      + "SET hits = hits + ?, last_accessed = max(last_accessed, ?) WHERE image_id = ?";

  /** Whether the current row's {@code image_id} is a valid {@link ImageId}. */
  static boolean hasValidId(ResultSet row) throws SQLException {
    String id = row.getString("image_id");
    return id != null && ImageId.isValid(id);
  }

  /**
   * The current row as an image. Glance's defaults and NULLs read as 0; negative values, which
   * only a hand-edited database holds, are read as 0 too.
   */
  static CachedImage toImage(ResultSet row) throws SQLException {
    return new CachedImage(
        ImageId.of(row.getString("image_id")),
        Math.max(0, row.getLong("size")),
        Math.max(0, row.getLong("hits")),
        EpochSeconds.toInstant(row.getDouble("last_accessed")),
        EpochSeconds.toInstant(row.getDouble("last_modified")),
        Optional.ofNullable(row.getString("checksum")));
  }
}
