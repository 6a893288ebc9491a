package io.imagecache.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether {@code serve} could create and write its cache directory, decided before anything is
 * written: the directory itself when it exists, else the nearest part of its path that exists,
 * which must be a directory this user may write. Asks the system ({@code access(2)}), so root,
 * read-only mounts and other users' directories are judged as the server would meet them.
 */
final class CacheDirectoryCheck {
  private CacheDirectoryCheck() {}

  /** Why {@code dir} cannot be the cache directory, or empty when it can. */
  static Optional<String> problem(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      if (!Files.isDirectory(absolute)) {
        return Optional.of("cannot be used as the cache directory: it is a file, not a directory");
      }
      if (!Files.isWritable(absolute) || !Files.isExecutable(absolute)) {
        return Optional.of("cannot write the cache directory: " + whyNot(absolute));
      }
      return Optional.empty();
    }
    for (Path parent = absolute.getParent(); parent != null; parent = parent.getParent()) {
      if (Files.exists(parent, LinkOption.NOFOLLOW_LINKS) || Files.exists(parent)) {
        if (!Files.isDirectory(parent)) {
          return Optional.of("cannot create the cache directory: " + parent
              + " is a file, not a directory");
        }
        if (!Files.isWritable(parent) || !Files.isExecutable(parent)) {
          return Optional.of("cannot create the cache directory in " + parent + ": "
              + whyNot(parent));
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Why a directory this user may not write is not writable: the mount or the permissions. */
  private static String whyNot(Path dir) {
    try {
      if (Files.getFileStore(dir).isReadOnly()) {
        return "it is on a read-only file system";
      }
    } catch (IOException e) {
      // Then it is the permissions as far as can be told.
    }
    return "permission denied";
  }
}
