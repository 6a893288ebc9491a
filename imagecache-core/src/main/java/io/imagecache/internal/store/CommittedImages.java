package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import io.imagecache.internal.store.ImageIndex.Access;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note.
 *
 * Hits. openForRead counts a hit in an AccessLog (a ConcurrentHashMap merge), never a store write
 * per read; flushAccesses() drains the log into one index.recordAccesses batch and puts it back if
 * the store fails. Metadata answers (cachedImage, cachedImages, hitCount) add the pending hits, and
 * leastRecentlyAccessed flushes first so that the store orders by the newest access times.
 *
 * Hot path. A hit must not cost a store round trip (a SQL query per read with postgres), so
 * openForRead answers from `entries` (an EntryCache), an in-memory copy of each committed image's
 * index entry as this driver last wrote or read it: put at commit (hits 0, both times the
 * commit's) and at the first lookup of an image (index.get; adopted files are looked up once this
 * way), moved forward by every successful flush (the batch's hits and access times, what the index
 * just recorded), removed by delete and by a reconciliation drop, cleared by deleteAll.
 * Checksum, lastModified and size never change while an entry lives; hits and lastAccessed still
 * reach the store only through the access log. Only this driver writes its entries (the directory
 * lock keeps other processes out; postgres rows are per node), so the copy stays what the index
 * holds. A copy whose size
 * differs from the opened file's (a file replaced behind the driver's back) is not trusted: the
 * read asks the index again. Files the index does not know are never copied, so each read of one
 * asks the index (reconciliation adopts them soon after start-up, so that is rare).
 *
 * Held files. openForRead leaves an indexed image's file open in `heldFiles` (a HeldFiles, bounded,
 * shared by reference count), so that openWithoutBlocking can answer the next hits from memory:
 * the held file and the entry, no system call. Every entry write but an access record (commit,
 * delete, delete all, recovery, first lookup) drops the id's held file (EntryCache calls
 * HeldFiles.invalidate), and HeldFiles' generation check keeps a file opened before such a change
 * from being held after it.
 *
 * Locking: see FileCacheDriver. Every change of the index together with the pending hits and the
 * entry copies happens under the MetadataLock; reads of `entries` and `heldFiles` take no lock.
 */

/**
 * The committed images of a file store: reads that count write-behind hits, metadata merged with
 * the pending hits, deletes, and the in-memory copies (entries, held files) that answer a hit
 * without a store round trip. Thread-safe; see the design note in the source.
 */
final class CommittedImages {
  private static final Logger log = LoggerFactory.getLogger(CommittedImages.class);

  private final CacheLayout layout;
  private final ImageIndex index;
  private final Clock clock;
  private final MetadataLock metadataLock;
  private final AccessLog accessLog = new AccessLog();
  /** Files of recently read images kept open for the next hits; see the design note ("Hot path"). */
  private final HeldFiles heldFiles;
  /**
   * The index entries as stored, by id, so that a hit needs no store round trip. Read lock-free;
   * written only under the metadata lock; see the design note ("Hot path").
   */
  private final EntryCache entries;

  CommittedImages(CacheLayout layout, ImageIndex index, Clock clock, MetadataLock metadataLock,
      int heldFileLimit) {
    this.layout = layout;
    this.index = index;
    this.clock = clock;
    this.metadataLock = metadataLock;
    this.heldFiles = new HeldFiles(heldFileLimit);
    this.entries = new EntryCache(metadataLock.lock(), heldFiles);
  }

  boolean isCached(ImageId id) {
    return Files.isRegularFile(layout.committed(id), LinkOption.NOFOLLOW_LINKS);
  }

  // ------------------------------------------------------------------ metadata

  Optional<CachedImage> cachedImage(ImageId id) throws IOException {
    if (!isCached(id)) {
      return Optional.empty();
    }
    return metadataLock.call(() -> index.get(id).map(accessLog::withPending));
  }

  List<CachedImage> cachedImages() throws IOException {
    return metadataLock.call(() -> {
      List<CachedImage> images = new ArrayList<>();
      for (CachedImage image : index.list()) {
        images.add(accessLog.withPending(image));
      }
      return images;
    });
  }

  long hitCount(ImageId id) throws IOException {
    return cachedImage(id).map(CachedImage::hits).orElse(0L);
  }

  Optional<LruEntry> leastRecentlyAccessed() throws IOException {
    flushAccesses();
    // Under the lock, as every index read: a commit's file is never seen before its entry (the
    // xattr index keeps the entry on the file, so it would read a file without attributes).
    Optional<ImageId> oldest = metadataLock.call(index::leastRecentlyAccessed);
    if (oldest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new LruEntry(oldest.get(), CacheLayout.sizeOrZero(layout.committed(oldest.get()))));
  }

  void flushAccesses() throws IOException {
    metadataLock.call(() -> {
      Map<ImageId, Access> batch = accessLog.drain();
      if (batch.isEmpty()) {
        return null;
      }
      try {
        index.recordAccesses(batch);
      } catch (IOException | RuntimeException e) {
        accessLog.restore(batch);
        throw e;
      }
      entries.recorded(batch);
      return null;
    });
  }

  // ------------------------------------------------------------------ delete

  boolean delete(ImageId id) throws IOException {
    // File and entry go in one step under the lock a commit's rename and record take: a commit
    // of the same id lands wholly before (and is deleted) or wholly after (and stays, indexed).
    return metadataLock.call(() -> {
      boolean removed = Files.deleteIfExists(layout.committed(id));
      index.remove(id);
      forget(id);
      return removed;
    });
  }

  int deleteAll() throws IOException {
    // As delete: a commit during the sweep must not keep its file and lose its entry.
    return metadataLock.call(() -> {
      int removed = 0;
      for (CacheFile file : layout.cacheFiles()) {
        if (Files.deleteIfExists(file.path())) {
          removed++;
        }
      }
      index.removeAll();
      accessLog.discardAll();
      entries.clear();
      return removed;
    });
  }

  /**
   * A commit recorded {@code image} in the index: its pending hits (of a former image of the id)
   * are dropped and the entry copy set. Call under the metadata lock, in the commit's step.
   */
  void committed(CachedImage image) {
    accessLog.discard(image.imageId());
    entries.put(image.imageId(), image);
  }

  /**
   * The index entry of {@code id} was removed (a delete, a reconciliation drop): its pending hits
   * and entry copy go too. Call under the metadata lock, in the same step.
   */
  void forget(ImageId id) {
    accessLog.discard(id);
    entries.remove(id);
  }

  // ------------------------------------------------------------------ reads

  Optional<CacheReader> openForRead(ImageId id) throws IOException {
    Path file = layout.committed(id);
    long generation = heldFiles.generation();
    // Only a regular file the cache wrote is an image: never a symbolic link (to /etc/shadow, say),
    // a FIFO that would block the open, or a device. The check before the open keeps the open from
    // blocking; NOFOLLOW_LINKS on the open keeps a link put there in between from being followed.
    if (!isCached(id)) {
      return Optional.empty();
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      log.warn("not serving {}: {} (not a regular file the cache wrote)", id, e.getReason());
      return Optional.empty();
    }
    try {
      long size = channel.size();
      Optional<CachedImage> indexed = entry(id, size);
      Optional<CachedImage> known = indexed.isPresent() ? indexed : unindexed(id, file, size);
      if (known.isEmpty()) {
        // Deleted (file and entry) since it was opened: a miss, as if the open had come later.
        channel.close();
        return Optional.empty();
      }
      CachedImage image = accessLog.withPending(known.get());
      image = new CachedImage(id, size, image.hits(), image.lastAccessed(), image.lastModified(),
          image.checksum());
      accessLog.record(id, clock.instant());
      // Only indexed files are held: the hot path answers from the entry kept beside them.
      Closeable release = indexed.isPresent()
          ? heldFiles.hold(id, channel, size, generation)
          : channel;
      return Optional.of(new CacheReader(image, channel, release));
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  Optional<CacheReader> openWithoutBlocking(ImageId id) {
    Optional<HeldFiles.Handle> held = heldFiles.acquire(id);
    if (held.isEmpty()) {
      return Optional.empty();
    }
    HeldFiles.Handle handle = held.get();
    Optional<CachedImage> known = entries.matching(id, handle.size());
    if (known.isEmpty()) {
      handle.close();
      return Optional.empty();
    }
    CachedImage image = accessLog.withPending(known.get());
    accessLog.record(id, clock.instant());
    return Optional.of(new CacheReader(image, handle.channel(), handle));
  }

  /**
   * The index entry of {@code id}: from memory when the copy there describes a file of
   * {@code size} bytes, else from the index (and remembered when its size matches); empty while
   * the store is unavailable.
   */
  private Optional<CachedImage> entry(ImageId id, long size) throws IOException {
    Optional<CachedImage> known = entries.matching(id, size);
    if (known.isPresent()) {
      return known;
    }
    return metadataLock.call(() -> {
      Optional<CachedImage> indexed;
      try {
        indexed = index.get(id);
      } catch (StoreUnavailableException e) {
        // The store is away: the file is served as one without an entry, not refused.
        return Optional.empty();
      }
      if (indexed.isPresent() && indexed.get().size() == size) {
        entries.put(id, indexed.get());
      }
      return indexed;
    });
  }

  /**
   * What is known of a committed file that the index lacks: its size and mtime; empty when the
   * file is gone (a delete removed it after it was opened).
   */
  private static Optional<CachedImage> unindexed(ImageId id, Path file, long size)
      throws IOException {
    Instant modified;
    try {
      modified = Files.getLastModifiedTime(file).toInstant();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(new CachedImage(id, size, 0, modified, modified, Optional.empty()));
  }

  /** Closes the held files (after the last flush). */
  void closeHeldFiles() {
    heldFiles.close();
  }
}
