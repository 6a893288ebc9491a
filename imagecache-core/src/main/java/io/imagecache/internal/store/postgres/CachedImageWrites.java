package io.imagecache.internal.store.postgres;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import io.imagecache.internal.store.postgres.OfflineWrites.Pending;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * The parameters of {@link PostgresIndex}'s writes of {@code cached_images} rows, and the
 * writes an outage kept ({@link OfflineWrites}) as one transaction's statements.
 */
final class CachedImageWrites {
  private CachedImageWrites() {}

  /** The kept writes in one transaction: rows first, then the hits on them. */
  static void writeBatch(Connection connection, OfflineWrites.Batch batch, long node)
      throws SQLException {
    if (batch.removeAllFirst()) {
      try (PreparedStatement statement = connection.prepareStatement(PostgresIndex.DELETE_ALL)) {
        statement.setLong(1, node);
        statement.executeUpdate();
      }
    }
    try (PreparedStatement remove = connection.prepareStatement(PostgresIndex.DELETE_ONE);
        PreparedStatement put = connection.prepareStatement(PostgresIndex.UPSERT);
        PreparedStatement adopt = connection.prepareStatement(PostgresIndex.ADOPT);
        PreparedStatement access = connection.prepareStatement(PostgresIndex.RECORD_ACCESS)) {
      for (Map.Entry<ImageId, Pending> entry : batch.writes().entrySet()) {
        Pending write = entry.getValue();
        switch (write.kind()) {
          case REMOVE -> {
            remove.setString(1, entry.getKey().value());
            remove.setLong(2, node);
            remove.addBatch();
          }
          case PUT -> {
            bindPut(put, write.row().orElseThrow(), node);
            put.addBatch();
          }
          case ADOPT -> {
            bindAdopt(adopt, write.row().orElseThrow(), node);
            adopt.addBatch();
          }
          case ACCESS_ONLY -> { }
        }
        if (write.access().isPresent()) {
          bindAccess(access, entry.getKey(), write.access().get(), node);
          access.addBatch();
        }
      }
      remove.executeBatch();
      put.executeBatch();
      adopt.executeBatch();
      access.executeBatch();
    }
  }

  static void bindPut(PreparedStatement statement, CachedImage row, long node)
      throws SQLException {
    statement.setString(1, row.imageId().value());
    statement.setObject(2, PostgresIndex.toUtc(row.lastAccessed()));
    statement.setObject(3, PostgresIndex.toUtc(row.lastModified()));
    statement.setLong(4, row.size());
    statement.setString(5, row.checksum().orElse(null));
    statement.setLong(6, node);
  }

  static void bindAdopt(PreparedStatement statement, CachedImage row, long node)
      throws SQLException {
    statement.setString(1, row.imageId().value());
    statement.setObject(2, PostgresIndex.toUtc(row.lastAccessed()));
    statement.setObject(3, PostgresIndex.toUtc(row.lastModified()));
    statement.setLong(4, row.size());
    statement.setLong(5, node);
  }

  static void bindAccess(PreparedStatement statement, ImageId id, Access access,
      long node) throws SQLException {
    statement.setLong(1, Math.min(access.hits(), Integer.MAX_VALUE));
    statement.setObject(2, PostgresIndex.toUtc(access.lastAccessed()));
    statement.setString(3, id.value());
    statement.setLong(4, node);
  }
}
