package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.CleanResult;
import io.imagecache.ImageId;
import io.imagecache.internal.DaemonThreads;
import io.imagecache.internal.store.ImageIndex.Access;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note.
 *
 * Layout. One base directory in Glance's layout (see CacheDriver): <dir>/<id> committed images,
 * incomplete/<id> the file of a live writer (or a crash leftover), invalid/<id> failed or aborted
 * writes kept until clean, queue/<id> empty prefetch markers whose mtime is the queue time (set
 * from our Clock), pinned/<id> empty pin markers. Whether an image is cached, being cached, queued
 * or pinned is answered by the file system alone, as in Glance. Only regular files in <dir> whose
 * names are valid ImageIds are images: cache.db*, imagecache.lock, admin-token and strays never
 * are (CacheLayout). Metadata (hits, access times, checksum) lives in an ImageIndex; files and
 * index can disagree after a crash or a hand edit, and start-up reconciles them.
 *
 * The parts. This class composes them and answers the file-system facts itself:
 * CommittedImages (reads, write-behind hits, entry copies and held files, metadata, deletes; its
 * design note has "Hits", "Hot path" and "Held files"), WriterRegistry (one live writer per id,
 * incomplete files, the digest pool; note "Writers") with CommitStep (rename and record under
 * metadataLock), Markers (queue and pin files), Cleaner (invalid, stalled and crash-left
 * incomplete files) and ReconciliationSteps (note "Reconciliation"), all sharing one
 * MetadataLock.
 *
 * Locking.
 *  - liveWriters (WriterRegistry): a concurrent set; add-if-absent is the only claim of an id, and
 *    only the writer that claimed it removes it (FileWriter.Owner.released).
 *  - accessLog (CommittedImages): lock-free (see AccessLog).
 *  - metadataLock (MetadataLock): held while a batch moves from the log to the index (flush), while the index
 *    entry of an id is written or removed together with discarding its pending hits (commit,
 *    delete, deleteAll, each reconciliation step), and while metadata is read and merged with
 *    pending hits. So no reader sees a batch both in the log and in the index or in neither, and
 *    hits of a replaced or deleted image never reach its successor.
 *    It also guards the committed files: <dir>/<id> appears (a commit's rename) or disappears (a
 *    delete's or deleteAll's unlink) only under metadataLock, in the same step as the index change
 *    that matches it; a reconciliation step stats under it. So, crashes aside, the index's ids are
 *    the committed files whenever the lock is free. (Unlocked, a delete's unlink and its entry
 *    removal could straddle a new commit of the same id: the new file stayed and lost its entry,
 *    never to be pruned.) That file I/O is metadata-only (rename, unlink, a directory fsync when
 *    durable), never image bytes.
 *    Lock order: metadataLock, then the index's own locks; the index never calls back.
 *  - entries (CommittedImages): an EntryCache over a concurrent map, read without a lock by openForRead
 *    (EntryCache.matching); every write happens under metadataLock (EntryCache asserts it holds
 *    the lock) together with the index change it mirrors (put with index.put, recorded after
 *    index.recordAccesses, remove with index.remove, clear with index.removeAll,
 *    and the first-lookup put right after its index.get), so no write can bring back an entry
 *    that a delete or a newer commit has just replaced.
 */

/**
 * The file half of every driver: Glance's directory layout, exclusive verified writers,
 * write-behind hits, clean and recovery, over an {@link ImageIndex} that keeps the metadata.
 * Thread-safe; see the design note in the source for the locking rules.
 */
public final class FileCacheDriver implements CacheDriver {
  private static final Logger log = LoggerFactory.getLogger(FileCacheDriver.class);
  /**
   * Files held open for hits: enough for the images a fleet boots from, few enough next to a
   * process's file limit (each held image is one descriptor).
   */
  static final int HELD_FILES = 256;

  private final CacheLayout layout;
  private final ImageIndex index;
  /** Keeps the index, the pending hits and the committed files consistent; see the design note. */
  private final MetadataLock metadataLock = new MetadataLock();
  private final CommittedImages images;
  private final WriterRegistry writers;
  private final Markers markers;
  private final Cleaner cleaner;

  /**
   * A driver over {@code dir} keeping metadata in {@code index}.
   *
   * @param clock the source of commit, access and queue times
   * @param durable whether commits fsync the file and the directory (off only for throw-away
   *     caches and tests)
   */
  public FileCacheDriver(Path dir, ImageIndex index, Clock clock, boolean durable) {
    this(dir, index, clock, durable, Optional.empty(), new WriterFiles());
  }

  /**
   * A driver over {@code dir} keeping metadata in {@code index} whose writers hash on
   * {@code digestExecutor} (one task per digest of each writer at a time; a task runs as long as
   * its writer keeps hashing). The executor must run every task it accepts (a writer's commit
   * waits for them) and may refuse tasks once shut down (the writer then hashes on its own
   * thread); the caller shuts it down after closing the driver. The four-argument constructor
   * uses a cached pool of daemon threads of its own, shut down by {@link #close()}.
   */
  public FileCacheDriver(
      Path dir, ImageIndex index, Clock clock, boolean durable, Executor digestExecutor) {
    this(dir, index, clock, durable,
        Optional.of(Objects.requireNonNull(digestExecutor, "digestExecutor")), new WriterFiles());
  }

  /** A driver whose writers make their file-system calls through {@code files} (tests). */
  FileCacheDriver(Path dir, ImageIndex index, Clock clock, boolean durable, WriterFiles files) {
    this(dir, index, clock, durable, Optional.empty(), files);
  }

  private FileCacheDriver(Path dir, ImageIndex index, Clock clock, boolean durable,
      Optional<Executor> injected, WriterFiles files) {
    this.layout = new CacheLayout(Objects.requireNonNull(dir, "dir"));
    this.index = Objects.requireNonNull(index, "index");
    Objects.requireNonNull(clock, "clock");
    this.images = new CommittedImages(layout, index, clock, metadataLock, HELD_FILES);
    Objects.requireNonNull(files, "files");
    this.writers = new WriterRegistry(layout, clock, durable,
        new CommitStep(layout, index, durable, metadataLock, images, files), injected, files);
    this.markers = new Markers(layout, clock);
    this.cleaner = new Cleaner(layout, clock, writers);
  }

  @Override
  public void configure() throws BadDriverConfigurationException {
    try {
      layout.create();
    } catch (IOException e) {
      throw new BadDriverConfigurationException(
          "cannot create the cache directory " + layout.base() + " and its sub-directories: " + e,
          e);
    }
    for (Path directory : layout.directories()) {
      if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
        throw new BadDriverConfigurationException(
            "the cache directory " + directory + " is not a writable directory");
      }
      warnIfWritableByOthers(directory);
    }
    index.open();
  }

  /** A directory others may write into lets them plant images: said once at start-up. */
  private static void warnIfWritableByOthers(Path directory) {
    try {
      if (FileModes.writableByOthers(directory)) {
        log.warn("{} is writable by every user, who could put there what the cache serves: "
            + "chmod o-w it", directory);
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot read the mode of {}: {}", directory, e.toString());
    }
  }

  // ------------------------------------------------------------------ file-system facts

  @Override
  public void checkStore() throws IOException {
    index.check();
  }

  @Override
  public void checkWritable() throws IOException {
    layout.probeWritable();
  }

  @Override
  public long cacheSize() throws IOException {
    long total = 0;
    for (CacheFile file : layout.cacheFiles()) {
      total += file.size();
    }
    return total;
  }

  @Override
  public boolean isCached(ImageId id) {
    return images.isCached(id);
  }

  @Override
  public boolean isBeingCached(ImageId id) {
    return Files.isRegularFile(layout.incomplete(id), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public boolean isCacheable(ImageId id) {
    return !isCached(id) && !isBeingCached(id);
  }

  @Override
  public boolean isQueued(ImageId id) {
    return markers.isQueued(id);
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public Optional<CachedImage> cachedImage(ImageId id) throws IOException {
    return images.cachedImage(id);
  }

  @Override
  public List<CachedImage> cachedImages() throws IOException {
    return images.cachedImages();
  }

  @Override
  public long hitCount(ImageId id) throws IOException {
    return images.hitCount(id);
  }

  @Override
  public Optional<LruEntry> leastRecentlyAccessed() throws IOException {
    return images.leastRecentlyAccessed();
  }

  @Override
  public void flushAccesses() throws IOException {
    images.flushAccesses();
  }

  // ------------------------------------------------------------------ delete

  @Override
  public boolean delete(ImageId id) throws IOException {
    return images.delete(id);
  }

  @Override
  public int deleteAll() throws IOException {
    return images.deleteAll();
  }

  // ------------------------------------------------------------------ queue and pins

  @Override
  public boolean queue(ImageId id) throws IOException {
    if (isCached(id) || isBeingCached(id)) {
      return false;
    }
    return markers.queue(id);
  }

  @Override
  public List<ImageId> queuedImages() throws IOException {
    return markers.queuedImages();
  }

  @Override
  public boolean deleteQueued(ImageId id) throws IOException {
    return markers.deleteQueued(id);
  }

  @Override
  public int deleteAllQueued() throws IOException {
    return markers.deleteAllQueued();
  }

  @Override
  public boolean pin(ImageId id) throws IOException {
    return markers.pin(id);
  }

  @Override
  public boolean unpin(ImageId id) throws IOException {
    return markers.unpin(id);
  }

  @Override
  public boolean isPinned(ImageId id) {
    return markers.isPinned(id);
  }

  @Override
  public List<ImageId> pinnedImages() throws IOException {
    return markers.pinnedImages();
  }

  @Override
  public boolean tracksNodes() {
    return index.tracksNodes();
  }

  @Override
  public List<String> cachedNodes(ImageId id) throws IOException {
    return index.nodes(id);
  }

  // ------------------------------------------------------------------ clean

  @Override
  public CleanResult clean(Duration stallTime) throws IOException {
    return cleaner.clean(stallTime);
  }

  @Override
  public CleanResult removeInvalid() throws IOException {
    return cleaner.removeInvalid();
  }

  // ------------------------------------------------------------------ read and write

  @Override
  public Optional<CacheWriter> openForWrite(ImageId id, ExpectedContent expected) throws IOException {
    return writers.openForWrite(id, expected);
  }

  @Override
  public Optional<CacheReader> openForRead(ImageId id) throws IOException {
    return images.openForRead(id);
  }

  @Override
  public Optional<CacheReader> openWithoutBlocking(ImageId id) {
    return images.openWithoutBlocking(id);
  }

  // ------------------------------------------------------------------ recovery and close

  @Override
  public List<ImageId> removeIncomplete() throws IOException {
    return cleaner.removeIncomplete();
  }

  /**
   * One scan of the base directory and one id-only read of the index, then short steps under
   * the metadata lock (one per entry to drop, one per batch of files to adopt), each of which
   * looks at the files again before it changes the index (see {@link ReconciliationSteps}).
   */
  @Override
  public RecoveryReport reconcile() throws IOException {
    return new Reconciliation(
        layout, index, new ReconciliationSteps(layout, index, metadataLock, images, writers))
        .run();
  }

  @Override
  public void close() throws IOException {
    try {
      metadataLock.markClosed();
      flushAccesses();
    } finally {
      images.closeHeldFiles();
      // A writer still hashing after this drains inline (FileDigests).
      writers.close();
      index.close();
    }
  }

  /**
   * The lock of the design note ("Locking"), package-private so that a test can hold it to pin an
   * interleaving of a commit with a delete; nothing else takes it from outside.
   */
  ReentrantLock metadataLock() {
    return metadataLock.lock();
  }
}
