package io.imagecache.internal.store;

import io.imagecache.CacheStoreException;
import io.imagecache.CachedImage;
import io.imagecache.CleanResult;
import io.imagecache.ImageId;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Glance's image-cache driver contract ({@code glance/image_cache/drivers/base.py}) over one cache
 * directory, in Glance's layout:
 *
 * <pre>
 *   &lt;dir&gt;/&lt;id&gt;             a committed image
 *   &lt;dir&gt;/incomplete/&lt;id&gt;  an image being written (exclusively created by one writer)
 *   &lt;dir&gt;/invalid/&lt;id&gt;     a write that failed verification or was aborted, kept until clean
 *                          (or until an admission needs the disk space); a write that failed
 *                          for lack of space is deleted at once instead
 *   &lt;dir&gt;/queue/&lt;id&gt;       an empty marker: queued for prefetch; its mtime is the queue time
 *   &lt;dir&gt;/pinned/&lt;id&gt;      an empty marker: never pruned (not in Glance)
 * </pre>
 *
 * <p>"Cached", "being cached" and "queued" are file-system facts, as in Glance. The metadata store
 * (an {@link ImageIndex}: SQLite, extended attributes or PostgreSQL) holds hits, access times and
 * checksums, and is reconciled with the files at start-up: {@link #removeIncomplete()} before
 * any writer opens, then {@link #reconcile()}, which may run while the cache serves. Files in the
 * base directory whose names are not valid {@link ImageId}s (the database, the lock file) are never images.
 *
 * <p>Differences from Glance, on purpose: writers are exclusive (a second writer of the same id gets
 * nothing instead of truncating the first one's file) and verify size and digests before the atomic
 * rename; metadata errors surface as {@link CacheStoreException} instead of being swallowed; a hit
 * is counted when a read is opened, written behind in batches ({@link #flushAccesses()}), not on
 * each read; {@link #clean} reports what it removed and never removes a file a live writer owns.
 *
 * <p>Implementations are thread-safe.
 */
public interface CacheDriver extends Closeable {

  /**
   * Creates the directory layout and opens the metadata store (Glance's {@code configure}).
   *
   * @throws BadDriverConfigurationException when the directory or the store cannot be used; the
   *     message says what to change
   */
  void configure() throws BadDriverConfigurationException;

  /** The sum of the sizes of committed image files; sub-directories are not counted. */
  long cacheSize() throws IOException;

  /** Whether {@code <dir>/<id>} exists. */
  boolean isCached(ImageId id);

  /** Whether {@code incomplete/<id>} exists. */
  boolean isBeingCached(ImageId id);

  /** Neither cached nor being cached; queued and invalid images are cacheable. */
  boolean isCacheable(ImageId id);

  /** Whether {@code queue/<id>} exists. */
  boolean isQueued(ImageId id);

  /** The committed image's metadata, if it is cached and known to the store. */
  Optional<CachedImage> cachedImage(ImageId id) throws IOException;

  /** Every committed image known to the store, ordered by id, with hits not yet flushed included. */
  List<CachedImage> cachedImages() throws IOException;

  /** Hits of a cached image; 0 when it is not cached. */
  long hitCount(ImageId id) throws IOException;

  /**
   * The cached image read least recently (ties: the lower id), with its current file size (0 when
   * the file cannot be stat-ed); empty when nothing is cached.
   */
  Optional<LruEntry> leastRecentlyAccessed() throws IOException;

  /**
   * Removes the committed file and its metadata. Queue, incomplete and invalid files are not
   * touched. Returns whether a file was removed; a missing file is not an error.
   */
  boolean delete(ImageId id) throws IOException;

  /** Removes every committed image and its metadata; returns the number of files removed. */
  int deleteAll() throws IOException;

  /**
   * Creates the queue marker. Returns false, doing nothing, when the image is cached, being cached
   * or already queued.
   */
  boolean queue(ImageId id) throws IOException;

  /** Queued ids, oldest marker first, ties broken by id. */
  List<ImageId> queuedImages() throws IOException;

  /** Removes the queue marker, if present; returns whether there was one. */
  boolean deleteQueued(ImageId id) throws IOException;

  /** Removes every queue marker; returns how many were removed. */
  int deleteAllQueued() throws IOException;

  /**
   * Removes every file in {@code invalid/}, and each file in {@code incomplete/} older than
   * {@code stallTime} that no live writer of this driver owns.
   */
  CleanResult clean(Duration stallTime) throws IOException;

  /**
   * Removes every file in {@code invalid/}, the first half of {@link #clean}: what an admission
   * reclaims before it prunes images or refuses a fill for lack of disk space.
   */
  CleanResult removeInvalid() throws IOException;

  /**
   * Opens the exclusive writer of {@code id}: creates {@code incomplete/<id>} with
   * {@code CREATE_NEW}. Empty when a writer of this id is open already (join it instead). A writer
   * may be opened for a cached image; its commit replaces the committed file.
   */
  Optional<CacheWriter> openForWrite(ImageId id, ExpectedContent expected) throws IOException;

  /** Opens the committed file for reading and counts a hit; empty when it is not cached. */
  Optional<CacheReader> openForRead(ImageId id) throws IOException;

  /**
   * {@link #openForRead} when it needs no system call and no store access (the driver still holds
   * the image's file open from an earlier read), so it may be called where nothing may block;
   * counts a hit. Empty means "not answerable that way", not "not cached": call openForRead.
   */
  default Optional<CacheReader> openWithoutBlocking(ImageId id) {
    return Optional.empty();
  }

  /** One cheap round trip to the metadata store; throws when it does not answer. */
  void checkStore() throws IOException;

  /** Creates and deletes a probe file in the cache directory; throws when it cannot. */
  void checkWritable() throws IOException;

  /** Whether this driver knows which nodes of a fleet hold an image ({@link #cachedNodes}). */
  boolean tracksNodes();

  /**
   * The node URLs of every node whose metadata lists {@code id}.
   *
   * @throws UnsupportedOperationException when {@link #tracksNodes()} is false
   */
  List<String> cachedNodes(ImageId id) throws IOException;

  /** Creates the pin marker; a pinned image is never pruned. Returns false if it was pinned. */
  boolean pin(ImageId id) throws IOException;

  /** Removes the pin marker; returns whether there was one. */
  boolean unpin(ImageId id) throws IOException;

  /** Whether the image is pinned. */
  boolean isPinned(ImageId id);

  /** Every pinned id, ordered. */
  List<ImageId> pinnedImages() throws IOException;

  /**
   * The first step of start-up, finished before any writer is opened: removes the incomplete
   * files left by a crash (none that a live writer owns). Returns their ids.
   */
  List<ImageId> removeIncomplete() throws IOException;

  /**
   * The rest of start-up, after {@link #removeIncomplete()} and safe to run while images are read,
   * written and deleted (a server runs it in the background once it serves): adopts committed
   * files the store does not know (with their size), drops store entries whose file is gone, and
   * names every unknown file in the base directory. Each file's fate is decided
   * from the file and the store at that moment, under the lock commits and deletes use, so a
   * commit or delete made meanwhile is never undone. Stops
   * early, with what it did so far, once the driver is closed.
   */
  RecoveryReport reconcile() throws IOException;

  /** Writes the hits and access times collected since the last flush to the store. */
  void flushAccesses() throws IOException;

  /** Flushes accesses and closes the store. Open writers and readers stay usable until closed. */
  @Override
  void close() throws IOException;
}
