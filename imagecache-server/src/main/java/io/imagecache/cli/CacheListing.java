package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to {@code GET /v2/cache}: the cached images and the ids waiting in the queue.
 *
 * @param cached {@code cached_images}, in the server's order
 * @param queued {@code queued_images}, in the server's order
 */
record CacheListing(List<Entry> cached, List<String> queued) {

  CacheListing {
    cached = List.copyOf(cached);
    queued = List.copyOf(queued);
  }

  /**
   * One cached image.
   *
   * @param lastAccessed epoch seconds, 0 when never
   * @param lastModified epoch seconds, 0 when unknown
   */
  record Entry(String imageId, long size, long hits, double lastAccessed, double lastModified,
      boolean pinned) {

    Entry {
      Objects.requireNonNull(imageId, "imageId");
      if (size < 0 || hits < 0) {
        throw new IllegalArgumentException("size and hits must be >= 0: " + size + ", " + hits);
      }
    }

    static Entry from(JsonNode node) {
      String what = "a cached_images entry";
      JsonFields.object(node, what);
      return new Entry(
          JsonFields.text(node, "image_id", what),
          JsonFields.count(node, "size", what),
          JsonFields.optionalCount(node, "hits", what).orElse(0),
          JsonFields.seconds(node, "last_accessed", what),
          JsonFields.seconds(node, "last_modified", what),
          JsonFields.flag(node, "pinned", what));
    }
  }

  /** Reads the documented shape, throwing {@link IllegalArgumentException} for another one. */
  static CacheListing from(JsonNode tree) {
    JsonFields.object(tree, "the listing");
    return new CacheListing(
        JsonFields.array(tree, "cached_images").stream().map(Entry::from).toList(),
        JsonFields.array(tree, "queued_images").stream()
            .map(id -> JsonFields.text(id, "a queued_images entry")).toList());
  }

  /** The cached entry of {@code imageId}, if it is cached. */
  Optional<Entry> cached(String imageId) {
    return cached.stream().filter(entry -> entry.imageId().equals(imageId)).findFirst();
  }

  /** Whether {@code imageId} is in the queue. */
  boolean isQueued(String imageId) {
    return queued.contains(imageId);
  }
}
