package io.imagecache.driver;

import io.imagecache.CleanResult;
import io.imagecache.CachedImage;
import io.imagecache.ExpectedContent;
import io.imagecache.ImageId;
import io.imagecache.driver.ImageIndex.Access;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
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
 * index can disagree after a crash or a hand edit, and recover() reconciles them at start-up.
 *
 * Reconciliation. recover() is removeIncomplete() (before any writer opens: an incomplete file
 * without a live writer is a crash leftover) then reconcile(), which may run while the cache
 * serves, reads, writes and deletes. A Reconciliation runs the pass; its steps are the driver's
 * (ReconciliationSteps), since they take metadataLock. It works from one scan of the base directory and one id-only
 * read of the index, both possibly stale by the time it acts, so it decides nothing from them
 * alone: for each id that is in one and not the other, it takes metadataLock and looks at the
 * file again. An indexed id without a regular file is dropped (a commit renames its file into
 * place and records the entry in one step under metadataLock, so the entry of a commit cannot be
 * dropped). A file without an entry is adopted with its size and mtime as stat-ed under the lock,
 * unless it is gone (delete removes the file and the entry in one step under metadataLock) or a
 * live writer owns the id; adopt never replaces an
 * entry, so a commit recorded between the scan and the step wins. Entries are not cleared: the
 * EntryCache only ever mirrors the index, and a drop removes the dropped entry. close() sets
 * `closed` under metadataLock; the next step sees it and reconciliation stops, so it never touches
 * a closed index under the lock.
 *
 * Writers. openForWrite registers the id in liveWriters first, then creates incomplete/<id> with
 * CREATE_NEW. A second writer of the same id in this process finds the registration and gets
 * nothing (it should join the first one's fill instead; Glance truncated the first one's file). An
 * incomplete file without a live writer is a crash leftover: deleted and created afresh. The
 * FileWriter counts while writing and hashes beside the writing thread (a DigestPipeline on the
 * digest executor); commit() waits for the digests, verifies size and digests, forces the file,
 * removes the queue marker, then renames it atomically over <dir>/<id>, forces the directory and
 * records the index entry, those three in one step under metadataLock (see "Locking"). Any
 * failure on the way (and abort, and close without commit) moves the file to invalid/<id>, but a
 * failure for lack of space (NoSpaceLeft) and a discard delete it, so that a full disk is not kept
 * full by the bytes that filled it. The registration is removed only after the file has left
 * incomplete/, so
 * a new writer never races the old one's rename; and clean() and removeIncomplete() skip every id
 * that is registered, whatever the file's age.
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
 * Locking.
 *  - liveWriters: a concurrent set; add-if-absent is the only claim of an id, and only the writer
 *    that claimed it removes it (FileWriter.Owner.released).
 *  - accessLog: lock-free (see AccessLog).
 *  - metadataLock: held while a batch moves from the log to the index (flush), while the index
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
 *  - entries: an EntryCache over a concurrent map, read without a lock by openForRead
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
  private final Clock clock;
  private final boolean durable;
  private final AccessLog accessLog = new AccessLog();
  /** Ids with a live writer; a concurrent set, see the design note. */
  private final Set<ImageId> liveWriters = ConcurrentHashMap.newKeySet();
  /** Keeps the index and the access log consistent for readers; see the design note. */
  private final ReentrantLock metadataLock = new ReentrantLock();
  /** Files of recently read images kept open for the next hits; see the design note ("Hot path"). */
  private final HeldFiles heldFiles = new HeldFiles(HELD_FILES);
  /**
   * The index entries as stored, by id, so that a hit needs no store round trip. Read lock-free;
   * written only under {@link #metadataLock}; see the design note ("Hot path").
   */
  private final EntryCache entries = new EntryCache(metadataLock, heldFiles);
  /** Set by {@link #close()}; a reconciliation step that sees it stops. Guarded by metadataLock. */
  private boolean closed;
  private final FileWriter.Owner writerOwner = new WriterOwner();
  /** Runs the writers' digest lanes (DigestPipeline); thread-safe. */
  private final Executor digestExecutor;
  /** The digest executor when this driver created it (and shuts it down on close), else empty. */
  private final Optional<ExecutorService> ownedDigestExecutor;
  /** The file-system calls of the writers and their commits. */
  private final WriterFiles files;

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
    this.clock = Objects.requireNonNull(clock, "clock");
    this.durable = durable;
    this.files = Objects.requireNonNull(files, "files");
    this.ownedDigestExecutor = injected.isPresent()
        ? Optional.empty()
        : Optional.of(Executors.newCachedThreadPool(new DigestThreads()));
    this.digestExecutor = injected.isPresent() ? injected.get() : ownedDigestExecutor.get();
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
  public long cacheSize() throws IOException {
    long total = 0;
    for (CacheFile file : layout.cacheFiles()) {
      total += file.size();
    }
    return total;
  }

  @Override
  public boolean isCached(ImageId id) {
    return Files.isRegularFile(layout.committed(id), LinkOption.NOFOLLOW_LINKS);
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
    return Files.isRegularFile(layout.queued(id), LinkOption.NOFOLLOW_LINKS);
  }

  // ------------------------------------------------------------------ metadata

  @Override
  public Optional<CachedImage> cachedImage(ImageId id) throws IOException {
    if (!isCached(id)) {
      return Optional.empty();
    }
    return withMetadataLock(() -> index.get(id).map(accessLog::withPending));
  }

  @Override
  public List<CachedImage> cachedImages() throws IOException {
    return withMetadataLock(() -> {
      List<CachedImage> images = new ArrayList<>();
      for (CachedImage image : index.list()) {
        images.add(accessLog.withPending(image));
      }
      return images;
    });
  }

  @Override
  public long hitCount(ImageId id) throws IOException {
    return cachedImage(id).map(CachedImage::hits).orElse(0L);
  }

  @Override
  public Optional<LruEntry> leastRecentlyAccessed() throws IOException {
    flushAccesses();
    // Under the lock, as every index read: a commit's file is never seen before its entry (the
    // xattr index keeps the entry on the file, so it would read a file without attributes).
    Optional<ImageId> oldest = withMetadataLock(index::leastRecentlyAccessed);
    if (oldest.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new LruEntry(oldest.get(), sizeOrZero(layout.committed(oldest.get()))));
  }

  @Override
  public void flushAccesses() throws IOException {
    withMetadataLock(() -> {
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

  @Override
  public boolean delete(ImageId id) throws IOException {
    // File and entry go in one step under the lock a commit's rename and record take: a commit
    // of the same id lands wholly before (and is deleted) or wholly after (and stays, indexed).
    return withMetadataLock(() -> {
      boolean removed = Files.deleteIfExists(layout.committed(id));
      index.remove(id);
      accessLog.discard(id);
      entries.remove(id);
      return removed;
    });
  }

  @Override
  public int deleteAll() throws IOException {
    // As delete: a commit during the sweep must not keep its file and lose its entry.
    return withMetadataLock(() -> {
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

  // ------------------------------------------------------------------ queue

  @Override
  public boolean queue(ImageId id) throws IOException {
    if (isCached(id) || isBeingCached(id)) {
      return false;
    }
    return createMarker(layout.queued(id));
  }

  @Override
  public List<ImageId> queuedImages() throws IOException {
    record Marker(ImageId id, FileTime queuedAt) {}
    List<Marker> markers = new ArrayList<>();
    for (ImageId id : layout.idsIn(layout.queueDirectory())) {
      CacheLayout.attributes(layout.queued(id))
          .ifPresent(attributes -> markers.add(new Marker(id, attributes.lastModifiedTime())));
    }
    markers.sort(Comparator.comparing(Marker::queuedAt).thenComparing(Marker::id));
    return markers.stream().map(Marker::id).toList();
  }

  @Override
  public boolean deleteQueued(ImageId id) throws IOException {
    return Files.deleteIfExists(layout.queued(id));
  }

  @Override
  public int deleteAllQueued() throws IOException {
    int removed = 0;
    for (Path marker : CacheLayout.entries(layout.queueDirectory())) {
      if (Files.deleteIfExists(marker)) {
        removed++;
      }
    }
    return removed;
  }

  // ------------------------------------------------------------------ clean

  @Override
  public CleanResult clean(Duration stallTime) throws IOException {
    if (stallTime.isNegative()) {
      throw new IllegalArgumentException("stall time must not be negative: " + stallTime);
    }
    CleanResult invalid = removeInvalid();
    int invalidRemoved = invalid.invalidFilesRemoved();
    int stalledRemoved = 0;
    long bytesRemoved = invalid.bytesRemoved();
    Instant cutoff = clock.instant().minus(stallTime);
    for (Path file : CacheLayout.entries(layout.incompleteDirectory())) {
      String name = file.getFileName().toString();
      if (ImageId.isValid(name) && liveWriters.contains(ImageId.of(name))) {
        continue;
      }
      Optional<BasicFileAttributes> attributes = CacheLayout.attributes(file);
      if (attributes.isEmpty()) {
        continue;
      }
      boolean stalled = stallTime.isZero()
          || attributes.get().lastModifiedTime().toInstant().isBefore(cutoff);
      if (!stalled) {
        continue;
      }
      try {
        if (Files.deleteIfExists(file)) {
          stalledRemoved++;
          bytesRemoved += attributes.get().isRegularFile() ? attributes.get().size() : 0;
        }
      } catch (IOException e) {
        log.warn("clean: could not remove the stalled file {}, leaving it: {}", file, e.toString());
      }
    }
    CleanResult result = new CleanResult(invalidRemoved, stalledRemoved, bytesRemoved);
    log.debug("clean of {} with stall time {}: {}", layout.base(), stallTime, result);
    return result;
  }

  @Override
  public CleanResult removeInvalid() throws IOException {
    int removed = 0;
    long bytes = 0;
    for (Path file : CacheLayout.entries(layout.invalidDirectory())) {
      long size = sizeOrZero(file);
      // A failure here propagates, as in Glance: invalid files have no excuse to stay.
      if (Files.deleteIfExists(file)) {
        removed++;
        bytes += size;
      }
    }
    return new CleanResult(removed, 0, bytes);
  }

  // ------------------------------------------------------------------ read and write

  @Override
  public Optional<CacheWriter> openForWrite(ImageId id, ExpectedContent expected)
      throws IOException {
    Objects.requireNonNull(expected, "expected");
    if (!liveWriters.add(id)) {
      return Optional.empty();
    }
    boolean opened = false;
    try {
      Optional<FileChannel> channel = createIncomplete(id);
      if (channel.isEmpty()) {
        return Optional.empty();
      }
      FileWriter writer =
          new FileWriter(
              id, channel.get(), expected, layout, clock, durable, writerOwner, digestExecutor,
              files);
      opened = true;
      return Optional.of(writer);
    } finally {
      if (!opened) {
        liveWriters.remove(id);
      }
    }
  }

  /**
   * Creates {@code incomplete/<id>} exclusively; a file already there has no live writer in this
   * process, so it is a crash leftover and is replaced. Empty when another process won the race.
   */
  private Optional<FileChannel> createIncomplete(ImageId id) throws IOException {
    Path file = layout.incomplete(id);
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        return Optional.of(files.create(file));
      } catch (FileAlreadyExistsException e) {
        if (attempt == 0) {
          log.info("removing {}, an incomplete file without a writer", file);
          Files.deleteIfExists(file);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<CacheReader> openForRead(ImageId id) throws IOException {
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

  @Override
  public Optional<CacheReader> openWithoutBlocking(ImageId id) {
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
   * {@code size} bytes, else from the index (and remembered when its size matches).
   */
  private Optional<CachedImage> entry(ImageId id, long size) throws IOException {
    Optional<CachedImage> known = entries.matching(id, size);
    if (known.isPresent()) {
      return known;
    }
    return withMetadataLock(() -> {
      Optional<CachedImage> indexed = index.get(id);
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

  // ------------------------------------------------------------------ nodes and pins

  @Override
  public boolean tracksNodes() {
    return index.tracksNodes();
  }

  @Override
  public List<String> cachedNodes(ImageId id) throws IOException {
    return index.nodes(id);
  }

  @Override
  public boolean pin(ImageId id) throws IOException {
    return createMarker(layout.pinned(id));
  }

  @Override
  public boolean unpin(ImageId id) throws IOException {
    return Files.deleteIfExists(layout.pinned(id));
  }

  @Override
  public boolean isPinned(ImageId id) {
    return Files.isRegularFile(layout.pinned(id), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public List<ImageId> pinnedImages() throws IOException {
    return layout.idsIn(layout.pinnedDirectory());
  }

  // ------------------------------------------------------------------ recovery and close

  @Override
  public RecoveryReport recover() throws IOException {
    List<ImageId> incompleteRemoved = removeIncomplete();
    RecoveryReport reconciled = reconcile();
    return new RecoveryReport(incompleteRemoved, reconciled.adopted(), reconciled.dropped(),
        reconciled.unknownFiles());
  }

  @Override
  public List<ImageId> removeIncomplete() throws IOException {
    List<ImageId> removed = new ArrayList<>();
    for (ImageId id : layout.idsIn(layout.incompleteDirectory())) {
      if (!liveWriters.contains(id) && Files.deleteIfExists(layout.incomplete(id))) {
        removed.add(id);
      }
    }
    return removed;
  }

  /**
   * One scan of the base directory and one id-only read of the index, then short steps under
   * {@link #metadataLock} (one per entry to drop, one per batch of files to adopt), each of which
   * looks at the files again before it changes the index (see the design note, "Reconciliation").
   */
  @Override
  public RecoveryReport reconcile() throws IOException {
    return new Reconciliation(layout, index, new ReconciliationSteps()).run();
  }

  private static Optional<BasicFileAttributes> regularFile(Path path) throws IOException {
    return CacheLayout.attributes(path).filter(BasicFileAttributes::isRegularFile);
  }

  @Override
  public void close() throws IOException {
    try {
      withMetadataLock(() -> {
        closed = true;
        return null;
      });
      flushAccesses();
    } finally {
      heldFiles.close();
      // A writer still hashing after this drains inline (DigestPipeline).
      ownedDigestExecutor.ifPresent(ExecutorService::shutdown);
      index.close();
    }
  }

  /** Daemon threads named imagecache-digest-N for the driver's own digest pool. */
  private static final class DigestThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "imagecache-digest-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Creates an empty marker stamped with the clock; false when it exists already. */
  private boolean createMarker(Path marker) throws IOException {
    try {
      FileModes.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    try {
      Files.setLastModifiedTime(marker, FileTime.from(clock.instant()));
    } catch (NoSuchFileException e) {
      // Consumed already (a commit removes the queue marker): it was created all the same.
      log.debug("{} was removed as soon as it was created", marker);
    }
    return true;
  }

  /** The size of a regular file, or 0 when it cannot be stat-ed or is something else. */
  private static long sizeOrZero(Path file) {
    try {
      return CacheLayout.attributes(file)
          .filter(BasicFileAttributes::isRegularFile)
          .map(BasicFileAttributes::size)
          .orElse(0L);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The lock of the design note ("Locking"), package-private so that a test can hold it to pin an
   * interleaving of a commit with a delete; nothing else takes it from outside.
   */
  ReentrantLock metadataLock() {
    return metadataLock;
  }

  /** Runs store work under {@link #metadataLock}. */
  private <T> T withMetadataLock(StoreWork<T> work) throws IOException {
    metadataLock.lock();
    try {
      return work.run();
    } finally {
      metadataLock.unlock();
    }
  }

  /** A piece of store work that may fail with an I/O error. */
  @FunctionalInterface
  private interface StoreWork<T> {
    T run() throws IOException;
  }

  /** The driver's side of a reconciliation: each step under the metadata lock. */
  private final class ReconciliationSteps implements Reconciliation.Steps {
    /**
     * Drops the index entry of {@code id} when, under the metadata lock, there is no committed
     * file for it: a commit renames its file and records the entry in one step under the same
     * lock, so a file that is absent now has no commit to lose.
     */
    @Override
    public Reconciliation.Step dropIfFileGone(ImageId id) throws IOException {
      return withMetadataLock(() -> {
        if (closed) {
          return Reconciliation.Step.CLOSED;
        }
        if (regularFile(layout.committed(id)).isPresent()) {
          return Reconciliation.Step.KEPT;
        }
        index.remove(id);
        accessLog.discard(id);
        entries.remove(id);
        return Reconciliation.Step.CHANGED;
      });
    }

    /**
     * Adopts the files of {@code batch} with their size and mtime as they are now, in one index
     * call under the metadata lock, leaving out those that are gone (a delete removes the file
     * and its entry in one step under the same lock) and those a live writer owns (its commit records the
     * entry). An entry that a commit recorded meanwhile stays: adopt never replaces one. Empty
     * when the driver is closed.
     */
    @Override
    public Optional<List<ImageId>> adoptIfUnindexed(List<CacheFile> batch) throws IOException {
      return withMetadataLock(() -> {
        if (closed) {
          return Optional.empty();
        }
        List<ImageIndex.Adoption> adoptions = new ArrayList<>(batch.size());
        for (CacheFile file : batch) {
          if (liveWriters.contains(file.id())) {
            continue;
          }
          Optional<BasicFileAttributes> now = regularFile(file.path());
          if (now.isPresent()) {
            adoptions.add(new ImageIndex.Adoption(file.id(), file.path(), now.get().size(),
                now.get().lastModifiedTime().toInstant()));
          }
        }
        index.adoptAll(adoptions);
        return Optional.of(adoptions.stream().map(ImageIndex.Adoption::id).toList());
      });
    }
  }

  /** The driver's side of its writers' lifecycle. */
  private final class WriterOwner implements FileWriter.Owner {
    @Override
    public void publish(ImageId id, Path incomplete, Path committed, long size, Instant now,
        String md5Hex) throws IOException {
      withMetadataLock(() -> {
        files.move(incomplete, committed);
        try {
          if (durable) {
            files.forceDirectory(layout.base());
          }
          index.put(id, committed, size, now, Optional.of(md5Hex));
        } catch (IOException | RuntimeException e) {
          // Never a committed file without its entry: out again, under the same lock (deleted
          // when the store is out of space, whose room the bytes would keep taking).
          try {
            if (NoSpaceLeft.causedBy(e)) {
              Files.deleteIfExists(committed);
            } else {
              Files.move(committed, layout.invalid(id), StandardCopyOption.REPLACE_EXISTING);
            }
          } catch (IOException moveFailure) {
            e.addSuppressed(moveFailure);
          }
          throw e;
        }
        accessLog.discard(id);
        entries.put(id, new CachedImage(id, size, 0, now, now, Optional.of(md5Hex)));
        return null;
      });
    }

    @Override
    public void released(ImageId id) {
      liveWriters.remove(id);
    }
  }
}
