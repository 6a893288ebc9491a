package io.imagecache.internal;

import io.imagecache.CacheConfig;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.ImageIndex;
import io.imagecache.internal.store.postgres.PostgresIndex;
import io.imagecache.internal.store.sqlite.SqliteIndex;
import io.imagecache.internal.store.xattr.XattrIndex;
import java.time.Clock;

/** Builds the driver a configuration names: the file driver over the chosen metadata index. */
final class DriverFactory {
  private DriverFactory() {}

  /** An unconfigured driver for {@code config}; nothing is touched before {@code configure()}. */
  static CacheDriver create(CacheConfig config, Clock clock) {
    ImageIndex index = switch (config.driver()) {
      case SQLITE -> new SqliteIndex(config.dir());
      case XATTR -> new XattrIndex(config.dir());
      // User and password travel in the JDBC URL (?user=…&password=…), or the password apart.
      case POSTGRES -> new PostgresIndex(config.dbUrl().orElseThrow(), config.dbPassword(),
          config.nodeUrl().orElseThrow(), config.dir());
    };
    return new FileCacheDriver(config.dir(), index, clock, config.durable());
  }
}
