package io.imagecache;

import io.imagecache.internal.DirectoryLock;
import java.io.IOException;
import java.nio.file.Path;

/** Another cache, in this or another process, has the directory open; the message names it. */
public class CacheDirectoryLockedException extends IOException {
  private final Path dir;
  private final String holder;

  public CacheDirectoryLockedException(Path dir, String holder) {
    super("cache directory " + dir + " is in use by " + holder
        + " (lock file " + dir.resolve(DirectoryLock.FILE_NAME) + ")");
    this.dir = dir;
    this.holder = holder;
  }

  /** The locked cache directory. */
  public Path dir() {
    return dir;
  }

  /** Who holds the lock, as {@code pid@hostname}, or a description when unknown. */
  public String holder() {
    return holder;
  }
}
