package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The index entries of committed images as {@link FileCacheDriver} last wrote or read them, so
 * that a hit needs no store round trip (see the driver's design note, "Hot path"). Reads are
 * lock-free; every write must be made under {@code guard} (the driver's metadata lock) together
 * with the index change it mirrors, so that no write brings back an entry that a delete or a
 * newer commit has just replaced. Every write but an access record also stops holding the id's
 * file open ({@link HeldFiles}): a put, remove or clear is how the driver says a file changed.
 */
final class EntryCache {
  /** The lock every write is made under; owned by the driver, only checked here. */
  private final ReentrantLock guard;
  /** The entries by id; a concurrent map, read without a lock, written only under guard. */
  private final ConcurrentHashMap<ImageId, CachedImage> entries = new ConcurrentHashMap<>();

  /** The driver's held-open files, invalidated with every entry written here but access records. */
  private final HeldFiles heldFiles;

  EntryCache(ReentrantLock guard, HeldFiles heldFiles) {
    this.guard = Objects.requireNonNull(guard, "guard");
    this.heldFiles = Objects.requireNonNull(heldFiles, "heldFiles");
  }

  /**
   * The remembered entry of {@code id} when it describes a file of {@code size} bytes; empty when
   * none is remembered or its size differs (a file replaced behind the driver's back). Lock-free.
   */
  Optional<CachedImage> matching(ImageId id, long size) {
    CachedImage known = entries.get(id);
    if (known != null && known.size() == size) {
      return Optional.of(known);
    }
    return Optional.empty();
  }

  /** Remembers {@code image} as the index now holds it for {@code id}; under the guard. */
  void put(ImageId id, CachedImage image) {
    assert guard.isHeldByCurrentThread();
    entries.put(id, image);
    heldFiles.invalidate(id);
  }

  /**
   * Moves the remembered entries forward by a batch the index has just recorded; ids not
   * remembered stay unknown. Under the guard.
   */
  void recorded(Map<ImageId, Access> batch) {
    assert guard.isHeldByCurrentThread();
    batch.forEach((id, access) -> entries.computeIfPresent(id, (key, e) -> access.appliedTo(e)));
  }

  /** Forgets the entry of {@code id} (its index entry was removed); under the guard. */
  void remove(ImageId id) {
    assert guard.isHeldByCurrentThread();
    entries.remove(id);
    heldFiles.invalidate(id);
  }

  /** Forgets every entry (the index was emptied or is being reconciled); under the guard. */
  void clear() {
    assert guard.isHeldByCurrentThread();
    entries.clear();
    heldFiles.invalidateAll();
  }
}
