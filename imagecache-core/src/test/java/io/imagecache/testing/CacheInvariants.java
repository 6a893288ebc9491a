package io.imagecache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What must hold in a cache directory once a test is done with it: no file left in
 * {@code incomplete/} (a writer that neither committed nor aborted) and, once its cache or driver
 * is closed, no file under it still open in this process (read from {@code /proc/self/fd}).
 */
public final class CacheInvariants {
  private static final Path OPEN_FILES = Path.of("/proc/self/fd");

  private CacheInvariants() {}

  /** Asserts that {@code dir/incomplete} holds no file (or does not exist). */
  public static void assertNothingIncomplete(Path dir) throws IOException {
    Path incomplete = dir.resolve("incomplete");
    if (Files.isDirectory(incomplete)) {
      try (Stream<Path> files = Files.list(incomplete)) {
        assertThat(files.map(Path::toString).toList())
            .as("files left in %s (a writer neither committed nor aborted)", incomplete)
            .isEmpty();
      }
    }
  }

  /** Asserts that no file under {@code dir} is open in this process; a no-op without /proc. */
  public static void assertNoOpenFileUnder(Path dir) throws IOException {
    assertThat(openFilesUnder(dir)).as("files under %s still open", dir).isEmpty();
  }

  /** The files under {@code dir} this process has open; empty where /proc is not mounted. */
  public static List<Path> openFilesUnder(Path dir) throws IOException {
    List<Path> open = new ArrayList<>();
    if (!Files.isDirectory(OPEN_FILES)) {
      return open;
    }
    Path real = dir.toAbsolutePath().normalize();
    if (Files.exists(real)) {
      real = real.toRealPath();
    }
    try (Stream<Path> descriptors = Files.list(OPEN_FILES)) {
      for (Path descriptor : descriptors.toList()) {
        Path target;
        try {
          target = Files.readSymbolicLink(descriptor);
        } catch (IOException e) {
          continue; // closed since the listing (the listing's own descriptor among them)
        }
        if (target.startsWith(real) || target.startsWith(dir)) {
          open.add(target);
        }
      }
    }
    return open;
  }
}
