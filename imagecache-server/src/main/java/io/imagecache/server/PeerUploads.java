package io.imagecache.server;

import io.imagecache.ImageId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many peers stream each image from this node at once, bounded by the {@code peer-uploads}
 * setting: a peer beyond it is told to come back later (503), so that the others chain off nodes
 * that are already receiving and a cold fleet forms a tree instead of a star. Thread-safe: the
 * map's atomic compute owns every count; an image without uploads has no entry.
 */
final class PeerUploads {
  private final int limit;
  private final Map<ImageId, Integer> uploads = new ConcurrentHashMap<>();

  PeerUploads(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the peer upload limit must be >= 1: " + limit);
    }
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  /** Takes one upload slot of {@code id}; false when all are taken. */
  boolean tryAcquire(ImageId id) {
    boolean[] acquired = new boolean[1];
    uploads.compute(id, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= limit) {
        return count;
      }
      acquired[0] = true;
      return now + 1;
    });
    return acquired[0];
  }

  /** Gives back one upload slot of {@code id}. */
  void release(ImageId id) {
    uploads.computeIfPresent(id, (key, count) -> count <= 1 ? null : count - 1);
  }
}
