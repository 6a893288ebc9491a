package io.imagecache.internal.store;

import io.imagecache.ImageId;
import io.imagecache.internal.DaemonThreads;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note.
 *
 * Writers. openForWrite registers the id in liveWriters first, then creates incomplete/<id> with
 * CREATE_NEW. A second writer of the same id in this process finds the registration and gets
 * nothing (it should join the first one's fill instead; Glance truncated the first one's file). An
 * incomplete file without a live writer is a crash leftover: deleted and created afresh. The
 * FileWriter counts while writing and hashes its file behind the writing thread (FileDigests on the
 * digest executor); commit() waits for the digests, verifies size and digests, forces the file,
 * removes the queue marker, then renames it atomically over <dir>/<id>, forces the directory and
 * records the index entry, those three in one step under metadataLock (CommitStep; see
 * FileCacheDriver, "Locking"). Any
 * failure on the way (and abort, and close without commit) moves the file to invalid/<id>, but a
 * failure for lack of space (NoSpaceLeft) and a discard delete it, so that a full disk is not kept
 * full by the bytes that filled it. The registration is removed only after the file has left
 * incomplete/, so
 * a new writer never races the old one's rename; and clean() and removeIncomplete() skip every id
 * that is registered, whatever the file's age.
 *
 * liveWriters is a concurrent set; add-if-absent is the only claim of an id, and only the writer
 * that claimed it removes it (FileWriter.Owner.released).
 */

/**
 * The file store's writers: one live writer per id (the registration), the creation of its
 * {@code incomplete/} file, and the executor the writers hash on. Thread-safe; see the design
 * note in the source.
 */
final class WriterRegistry implements FileWriter.Owner {
  private static final Logger log = LoggerFactory.getLogger(WriterRegistry.class);

  private final CacheLayout layout;
  private final Clock clock;
  private final boolean durable;
  private final CommitStep commits;
  /** Ids with a live writer; a concurrent set, see the design note. */
  private final Set<ImageId> liveWriters = ConcurrentHashMap.newKeySet();
  /** Runs the writers' digest lanes (FileDigests) and early flushes (EarlyWriteback); thread-safe. */
  private final Executor digestExecutor;
  /** The file-system calls of the writers (a faulty one in tests). */
  private final WriterFiles files;
  /** The digest executor when this registry created it (and shuts it down on close), else empty. */
  private final Optional<ExecutorService> ownedDigestExecutor;

  /**
   * Writers over {@code layout} that commit through {@code commits} and hash on the injected
   * executor, or (when empty) on a cached pool of daemon threads of their own, shut down by
   * {@link #close()}.
   */
  WriterRegistry(CacheLayout layout, Clock clock, boolean durable, CommitStep commits,
      Optional<Executor> injectedDigestExecutor, WriterFiles files) {
    this.layout = layout;
    this.files = files;
    this.clock = clock;
    this.durable = durable;
    this.commits = commits;
    this.ownedDigestExecutor = injectedDigestExecutor.isPresent()
        ? Optional.empty()
        : Optional.of(Executors.newCachedThreadPool(DaemonThreads.named("imagecache-digest")));
    this.digestExecutor = injectedDigestExecutor.isPresent()
        ? injectedDigestExecutor.get()
        : ownedDigestExecutor.get();
  }

  /** Whether {@code id} has a live writer (its incomplete file is in use). */
  boolean isLive(ImageId id) {
    return liveWriters.contains(id);
  }

  /** A new writer of {@code id}, or empty when one is live already (here or in another process). */
  Optional<CacheWriter> openForWrite(ImageId id, ExpectedContent expected) throws IOException {
    Objects.requireNonNull(expected, "expected");
    if (!liveWriters.add(id)) {
      return Optional.empty();
    }
    boolean opened = false;
    try {
      Optional<RandomAccessFile> file = createIncomplete(id);
      if (file.isEmpty()) {
        return Optional.empty();
      }
      FileWriter writer;
      try {
        writer = new FileWriter(
            id, file.get(), expected, layout, clock, durable, this, digestExecutor, files);
      } catch (IOException | RuntimeException e) {
        // The writer could not open its file for the digests: nothing of it may stay behind.
        try {
          file.get().close();
          Files.deleteIfExists(layout.incomplete(id));
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
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
  private Optional<RandomAccessFile> createIncomplete(ImageId id) throws IOException {
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
  public void publish(ImageId id, Path incomplete, Path committed, long size, Instant now,
      String md5Hex) throws IOException {
    commits.publish(id, incomplete, committed, size, now, md5Hex);
  }

  @Override
  public void released(ImageId id) {
    liveWriters.remove(id);
  }

  /** Shuts down the digest pool this registry created; a writer still hashing drains inline. */
  void close() {
    ownedDigestExecutor.ifPresent(ExecutorService::shutdown);
  }
}
