package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/** A committed image file found in the base directory, with what a stat told about it. */
record CacheFile(ImageId id, Path path, long size, Instant modified) {
  CacheFile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(modified, "modified");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + size);
    }
  }
}
