package io.imagecache;

import io.imagecache.fill.FillAdmission;
import io.imagecache.fill.NotCacheableException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fills a cache lets in: an image larger than the whole cache is never cached, and neither is
 * one that would leave the file system with less than {@link #MIN_FREE_FRACTION} of its space
 * free. Refused images are streamed through from the origin instead.
 */
final class CacheAdmission implements FillAdmission {
  /** The minimum-free-disk guard: 5 % of the file system holding the cache. */
  static final double MIN_FREE_FRACTION = 0.05;

  private final Path dir;
  private final long maxSize;

  CacheAdmission(Path dir, long maxSize) {
    this.dir = dir;
    this.maxSize = maxSize;
  }

  @Override
  public Reservation admit(ImageId id, ExpectedContent expected) throws NotCacheableException {
    if (expected.size().isPresent()) {
      long size = expected.size().getAsLong();
      if (size > maxSize) {
        throw new NotCacheableException(id, "its " + Sizes.format(size)
            + " exceed the cache's max size of " + Sizes.format(maxSize));
      }
      requireFreeSpace(id, size);
    }
    return () -> {};
  }

  private void requireFreeSpace(ImageId id, long size) throws NotCacheableException {
    try {
      FileStore store = Files.getFileStore(dir);
      long minFree = (long) (store.getTotalSpace() * MIN_FREE_FRACTION);
      long usable = store.getUsableSpace();
      if (usable - size < minFree) {
        throw new NotCacheableException(id, "caching its " + Sizes.format(size) + " would leave "
            + Sizes.format(Math.max(0, usable - size)) + " free on the cache's file system,"
            + " under the guard of " + Sizes.format(minFree));
      }
    } catch (NotCacheableException e) {
      throw e;
    } catch (IOException e) {
      throw new NotCacheableException(id, "the free space of " + dir + " is unknown: " + e);
    }
  }
}
