package io.imagecache.cli;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where sqlite-jdbc unpacks its native library: {@code <cache-dir>/cache.db-native} instead of
 * {@code java.io.tmpdir}, so that a {@code /tmp} mounted {@code noexec} (a hardened host, a
 * systemd {@code PrivateTmp}) does not stop the {@code sqlite} driver with "Error opening
 * connection". The service owns that directory and may execute from it; the name begins with
 * {@code cache.db}, which the cache directory reserves for the SQLite files, so it is never an
 * image, never served and never taken for a stray.
 */
final class SqliteNativeDirectory {
  /** The system property sqlite-jdbc unpacks its library under (default: java.io.tmpdir). */
  static final String PROPERTY = "org.sqlite.tmpdir";
  /** The directory's name inside the cache directory. */
  static final String NAME = "cache.db-native";

  private SqliteNativeDirectory() {}

  /**
   * Points {@value #PROPERTY} at {@code <cache-dir>/cache.db-native} (made {@code rwxr-x---}) when
   * the cache uses the sqlite driver and the property is not set already (by the user, in
   * {@code IMAGECACHE_JAVA_OPTS}); call it before the first SQLite connection of the process.
   */
  static void prepare(CacheConfig cache) throws IOException {
    if (cache.driver() != DriverKind.SQLITE || System.getProperty(PROPERTY) != null) {
      return;
    }
    Path directory = cache.dir().toAbsolutePath().resolve(NAME);
    Files.createDirectories(directory,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    System.setProperty(PROPERTY, directory.toString());
  }
}
