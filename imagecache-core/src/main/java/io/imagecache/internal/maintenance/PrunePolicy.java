package io.imagecache.internal.maintenance;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Which committed images a prune removes: a pure function of the entries, the pins and the sizes,
 * so it can be tested and simulated without a disk.
 */
final class PrunePolicy {
  /** Least recently accessed first; ties by id, as Glance's LRU query breaks them. */
  private static final Comparator<CachedImage> LEAST_RECENTLY_ACCESSED =
      Comparator.comparing(CachedImage::lastAccessed).thenComparing(CachedImage::imageId);

  private PrunePolicy() {}

  /**
   * The images to remove, in removal order: least recently accessed first (ties by id), pinned
   * ones skipped, stopping as soon as {@code currentSize} minus the sizes chosen so far is at most
   * {@code targetSize}. Empty when the cache is within the target already. Each entry is looked at
   * once, so the answer is finite even when the entries cannot free enough (files the metadata
   * does not know, sizes that disagree): the prune then stops above the target.
   */
  public static List<CachedImage> victims(
      List<CachedImage> entries, Set<ImageId> pinned, long currentSize, long targetSize) {
    if (currentSize < 0) {
      throw new IllegalArgumentException("currentSize must be >= 0: " + currentSize);
    }
    if (targetSize < 0) {
      throw new IllegalArgumentException("targetSize must be >= 0: " + targetSize);
    }
    List<CachedImage> candidates = new ArrayList<>(entries);
    candidates.sort(LEAST_RECENTLY_ACCESSED);
    List<CachedImage> victims = new ArrayList<>();
    long remaining = currentSize;
    for (CachedImage entry : candidates) {
      if (remaining <= targetSize) {
        break;
      }
      if (pinned.contains(entry.imageId())) {
        continue;
      }
      victims.add(entry);
      remaining -= entry.size();
    }
    return List.copyOf(victims);
  }
}
