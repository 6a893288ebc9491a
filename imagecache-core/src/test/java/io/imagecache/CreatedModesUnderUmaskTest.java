package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache opened by a process whose umask is {@code 000} still creates nothing that other users
 * can write (or read): the modes are the cache's own, not the umask's.
 */
class CreatedModesUnderUmaskTest {
  @TempDir Path tempDir;

  @Test
  void aCacheOpenedUnderUmask000_createsNothingOthersCanWrite() throws Exception {
    Path dir = tempDir.resolve("cache");
    try (ChildJvm child = ChildJvm.startWithUmask(dir, "commit", "000")) {
      child.awaitLine("COMMITTED");

      for (String directory : List.of("", "incomplete", "invalid", "queue", "pinned")) {
        assertThat(mode(dir.resolve(directory))).as("directory '%s'", directory)
            .isEqualTo("rwxr-x---");
      }
      for (String file : List.of(CrashingFillMain.KEPT_ID, "cache.db", "cache.db-wal",
          "imagecache.lock")) {
        assertThat(mode(dir.resolve(file))).as("file %s", file).isEqualTo("rw-r-----");
      }
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
