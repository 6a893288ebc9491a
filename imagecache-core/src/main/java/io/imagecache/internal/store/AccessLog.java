package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hits counted by {@code openForRead} that the index has not seen yet: a write-behind log, so
 * that a read costs a map update instead of a store write. Thread-safe without locks; an increment
 * that races {@link #drain()} lands either in the drained batch or in the log, never nowhere.
 */
final class AccessLog {
  /** Pending accesses per image; a lock-free map, merged atomically per key. */
  private final ConcurrentHashMap<ImageId, Access> pending = new ConcurrentHashMap<>();

  /** Counts one hit of {@code id} at {@code at}. */
  void record(ImageId id, Instant at) {
    pending.merge(id, new Access(1, at), Access::merge);
  }

  /** The accesses of {@code id} not yet drained. */
  Optional<Access> pending(ImageId id) {
    return Optional.ofNullable(pending.get(id));
  }

  /** Takes every pending access out of the log, key by key. */
  Map<ImageId, Access> drain() {
    Map<ImageId, Access> batch = new HashMap<>();
    for (ImageId id : pending.keySet()) {
      Access access = pending.remove(id);
      if (access != null) {
        batch.put(id, access);
      }
    }
    return batch;
  }

  /** Puts a drained batch back after the index failed to take it. */
  void restore(Map<ImageId, Access> batch) {
    batch.forEach((id, access) -> pending.merge(id, access, Access::merge));
  }

  /** Forgets the pending accesses of {@code id} (its image was deleted or replaced). */
  void discard(ImageId id) {
    pending.remove(id);
  }

  /** Forgets every pending access. */
  void discardAll() {
    pending.clear();
  }

  /** {@code image} with the pending accesses of its id added. */
  CachedImage withPending(CachedImage image) {
    Access access = pending.get(image.imageId());
    return access == null ? image : access.appliedTo(image);
  }
}
