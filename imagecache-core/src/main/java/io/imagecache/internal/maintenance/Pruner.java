package io.imagecache.internal.maintenance;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.PruneResult;
import io.imagecache.internal.store.CacheDriver;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link PrunePolicy} to a cache through its driver. An image that is pinned or has a
 * live fill is never deleted: both are read when the prune starts and checked again just before
 * each delete. (A fill that starts after that check writes into {@code incomplete/}, and its
 * commit brings the image back; the prune only ever removes committed files.)
 *
 * <p>Not serialized here: the facade runs one prune at a time.
 */
public final class Pruner {
  private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

  private final CacheDriver driver;
  private final Predicate<ImageId> hasLiveFill;

  /** A pruner over {@code driver} that spares every image for which {@code hasLiveFill} is true. */
  public Pruner(CacheDriver driver, Predicate<ImageId> hasLiveFill) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.hasLiveFill = Objects.requireNonNull(hasLiveFill, "hasLiveFill");
  }

  /**
   * Bytes a prune could remove now: the sizes of the committed images the store knows that are
   * neither pinned nor being filled.
   */
  public long evictableBytes() throws IOException {
    Set<ImageId> pinned = new HashSet<>(driver.pinnedImages());
    long bytes = 0;
    for (CachedImage entry : driver.cachedImages()) {
      if (!pinned.contains(entry.imageId()) && !hasLiveFill.test(entry.imageId())) {
        bytes += entry.size();
      }
    }
    return bytes;
  }

  /** Deletes least recently accessed images until the cache is at most {@code targetSize} bytes. */
  public PruneResult prune(long targetSize) throws IOException {
    if (targetSize < 0) {
      throw new IllegalArgumentException("targetSize must be >= 0: " + targetSize);
    }
    long currentSize = driver.cacheSize();
    if (currentSize <= targetSize) {
      LOG.debug("prune: {} bytes cached, target {}: nothing to do", currentSize, targetSize);
      return PruneResult.NOTHING;
    }
    List<CachedImage> entries = driver.cachedImages();
    Set<ImageId> spared = new HashSet<>(driver.pinnedImages());
    for (CachedImage entry : entries) {
      if (hasLiveFill.test(entry.imageId())) {
        spared.add(entry.imageId());
      }
    }
    int files = 0;
    long bytes = 0;
    for (CachedImage victim : PrunePolicy.victims(entries, spared, currentSize, targetSize)) {
      ImageId id = victim.imageId();
      if (hasLiveFill.test(id) || driver.isPinned(id)) {
        continue;
      }
      if (driver.delete(id)) {
        files++;
        bytes += victim.size();
      }
    }
    LOG.info("prune to {} bytes: {} files, {} bytes removed ({} bytes were cached)",
        targetSize, files, bytes, currentSize);
    return new PruneResult(files, bytes);
  }
}
