package io.imagecache;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One committed image as the cache's metadata knows it: Glance's {@code get_cached_images} record.
 *
 * @param imageId the image
 * @param size the file size in bytes
 * @param hits how many reads were served from the cached file
 * @param lastAccessed when the image was last read (or committed, if never read)
 * @param lastModified when the image was committed
 * @param checksum the verified hex MD5 of the content, when one was known at commit
 */
public record CachedImage(
    ImageId imageId, long size, long hits, Instant lastAccessed, Instant lastModified,
    Optional<String> checksum) {

  public CachedImage {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(lastAccessed, "lastAccessed");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(checksum, "checksum");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + size);
    }
    if (hits < 0) {
      throw new IllegalArgumentException("hits must be >= 0: " + hits);
    }
  }
}
