package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive writer of one {@code incomplete/<id>} file, created by {@link FileCacheDriver}
 * (whose design note describes the lifecycle). It counts bytes and computes MD5 and every expected
 * digest (MD5 not when the origin's own MD5 is recorded unverified) over the file as it grows,
 * reading it back behind the writing thread ({@link FileDigests}), so the digests prove what the
 * file holds; {@link #commit()} waits for the digests and verifies them ({@link ContentCheck})
 * before the atomic rename.
 *
 * <p>The file is sparse: pieces of the bytes that are whole 4 KiB blocks of zeros (aligned to file
 * offsets) are not written but left as holes ({@link SparseWrite}), so a raw VM image takes only
 * its data on disk. The digests still see every byte. Bytes are published ({@link #bytesWritten()}
 * moves) by {@link #advance}, which first makes the file at least that long (extended over a
 * skipped end), so a reader of the growing file reads the holes as the zeros they are, and the
 * committed file has its full size before it is forced; {@link #write} is a {@link #writeAt} at
 * the end of what was published and an advance over it. Bytes a segmented fetch wrote beyond what
 * was published may make the file longer meanwhile; readers and digests never look past
 * {@link #bytesWritten()}. A durable writer flushes as it goes ({@link EarlyWriteback}), so that
 * forcing the file at the commit is quick.
 *
 * <p>One thread writes, advances and commits; {@link #writeAt} may also come from other threads at
 * once (a segmented fetch's connections), for disjoint ranges beyond what was published.
 * {@link #bytesWritten()} may be read, and {@link #abort} called, from any thread: the state moves
 * by compare-and-set, so exactly one of commit and abort wins.
 */
final class FileWriter implements CacheWriter {
  private static final Logger log = LoggerFactory.getLogger(FileWriter.class);

  /** What the writer asks of the driver that opened it. */
  interface Owner {
    /**
     * Renames the verified {@code incomplete} file over {@code committed} and records the image in
     * the metadata store, as one step against deletes of the same id (see the driver's design
     * note, "Locking"); when durable, the directory is forced before the record. When forcing or
     * the record fails, the file has left {@code committed} again (it is in {@code invalid/})
     * before the failure is thrown.
     */
    void publish(ImageId id, Path incomplete, Path committed, long size, Instant now,
        String md5Hex) throws IOException;

    /** The writer is done, committed or aborted, and no longer owns {@code incomplete/<id>}. */
    void released(ImageId id);
  }

  /** Where a writer is in its life. Only OPEN accepts bytes, commit and abort. */
  private enum State {
    OPEN("open"),
    COMMITTING("committing"),
    COMMITTED("committed already"),
    ABORTED("aborted already");

    private final String description;

    State(String description) {
      this.description = description;
    }
  }

  private final ImageId id;
  private final Path file;
  /** The open file: its channel writes, its setLength extends over a skipped end. */
  private final RandomAccessFile openFile;
  private final FileChannel channel;
  private final ExpectedContent expected;
  private final CacheLayout layout;
  private final Clock clock;
  private final boolean durable;
  private final Owner owner;
  private final WriterFiles files;
  /**
   * Every verified algorithm, and MD5 (the checksum recorded at commit) unless the origin offered
   * an MD5 that is recorded without being verified.
   * Used by the writing thread only; its lanes run on the digest executor (see FileDigests).
   */
  private final FileDigests digests;
  /** Flushes written bytes while the writer goes on (durable writers); the writing thread only. */
  private final EarlyWriteback writeback;
  /** Written by the writing thread at each advance; read by any thread (volatile). */
  private volatile long bytesWritten;
  /**
   * The file's length as far as the writes know: at least the end of every write whose last byte
   * was written, and every end advance() extended the file to. Below an advance's end, the file
   * is extended (a skipped end) under {@link #lengthLock}.
   */
  private final AtomicLong fileLength = new AtomicLong();
  /**
   * Held shared by every write and exclusively by advance() while it extends the file, so that
   * extending (ftruncate) can never cut what a concurrent write put beyond it.
   */
  private final ReadWriteLock lengthLock = new ReentrantReadWriteLock();
  /** OPEN → COMMITTING → COMMITTED, or OPEN/COMMITTING → ABORTED; moved by compare-and-set. */
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

  FileWriter(
      ImageId id, RandomAccessFile openFile, ExpectedContent expected, CacheLayout layout,
      Clock clock, boolean durable, Owner owner, Executor digestExecutor, WriterFiles files)
      throws IOException {
    this.id = Objects.requireNonNull(id, "id");
    this.file = layout.incomplete(id);
    this.openFile = Objects.requireNonNull(openFile, "openFile");
    this.channel = openFile.getChannel();
    this.expected = Objects.requireNonNull(expected, "expected");
    this.layout = layout;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.durable = durable;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.files = Objects.requireNonNull(files, "files");
    Set<DigestAlgorithm> algorithms = EnumSet.noneOf(DigestAlgorithm.class);
    if (expected.md5().isEmpty() || expected.digests().stream()
        .anyMatch(digest -> digest.algorithm() == DigestAlgorithm.MD5)) {
      // Recorded at commit: computed unless the origin's MD5 is kept unverified (verify strongest).
      algorithms.add(DigestAlgorithm.MD5);
    }
    for (ContentDigest digest : expected.digests()) {
      algorithms.add(digest.algorithm());
    }
    this.digests = new FileDigests(file, algorithms, digestExecutor);
    this.writeback = new EarlyWriteback(channel, files, digestExecutor);
  }

  @Override
  public ImageId imageId() {
    return id;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public long bytesWritten() {
    return bytesWritten;
  }

  /**
   * Writes all of {@code src}, zero blocks as holes, and publishes it; a failing write aborts the
   * writer before the error is thrown.
   */
  @Override
  public void write(ByteBuffer src) throws IOException {
    long position = bytesWritten;
    long end = position + src.remaining();
    writeAt(position, src);
    advance(end);
  }

  /**
   * Writes all of {@code src} at {@code offset}, zero blocks as holes, without publishing it; a
   * failing write aborts the writer before the error is thrown. Holds {@link #lengthLock} shared.
   */
  @Override
  public void writeAt(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    if (offset < bytesWritten) {
      throw new IllegalArgumentException("offset " + offset + " is below the " + bytesWritten
          + " bytes published already");
    }
    long end = offset + src.remaining();
    lengthLock.readLock().lock();
    try {
      if (SparseWrite.write(files, channel, src, offset)) {
        fileLength.accumulateAndGet(end, Math::max);
      }
    } catch (IOException | RuntimeException e) {
      failed("writing to " + file + " failed: " + e, e);
      throw e;
    } finally {
      lengthLock.readLock().unlock();
    }
  }

  /**
   * Publishes every byte below {@code end}: extends the file over a skipped end first (exclusively
   * under {@link #lengthLock}, so that no write beyond it is cut), then lets the digests and the
   * early flushes know. A failure aborts the writer before it is thrown.
   */
  @Override
  public void advance(long end) throws IOException {
    checkOpen();
    long position = bytesWritten;
    if (end < position) {
      throw new IllegalArgumentException("end " + end + " is below the " + position
          + " bytes published already");
    }
    if (fileLength.get() < end) {
      lengthLock.writeLock().lock();
      try {
        if (channel.size() < end) {
          files.setLength(openFile, end);
        }
        fileLength.accumulateAndGet(end, Math::max);
      } catch (IOException | RuntimeException e) {
        failed("extending " + file + " failed: " + e, e);
        throw e;
      } finally {
        lengthLock.writeLock().unlock();
      }
    }
    // Published last: every byte below the new value is in the file (or a hole, read as zeros).
    bytesWritten = end;
    if (durable) {
      writeback.written(end);
    }
    try {
      // The lanes hash the new bytes from the file; this waits only when they fall far behind.
      digests.written(end);
    } catch (IOException | RuntimeException e) {
      abort("hashing " + file + " failed: " + e);
      throw e;
    }
  }

  private void checkOpen() {
    State now = state.get();
    if (now != State.OPEN) {
      throw new IllegalStateException("writer of image " + id + " is " + now.description);
    }
  }

  /** Ends the writer after a failed write: deletes the file when the disk is full, else aborts. */
  private void failed(String reason, Exception e) {
    if (NoSpaceLeft.causedBy(e)) {
      discard(reason);
    } else {
      abort(reason);
    }
  }

  @Override
  public void force() throws IOException {
    files.force(channel);
  }

  @Override
  public CachedImage commit() throws IOException {
    if (!state.compareAndSet(State.OPEN, State.COMMITTING)) {
      throw new IllegalStateException("writer of image " + id + " is " + state.get().description);
    }
    long size = bytesWritten;
    Map<DigestAlgorithm, byte[]> computed;
    try {
      computed = digests.finish();
    } catch (IOException | RuntimeException e) {
      moveToInvalid(file, "commit failed: " + e);
      throw e;
    }
    byte[] md5 = computed.get(DigestAlgorithm.MD5);
    String md5Hex = md5 != null ? HexFormat.of().formatHex(md5) : expected.md5().orElseThrow();
    try {
      ContentCheck.verify(id, expected, size, computed);
    } catch (ContentMismatchException e) {
      moveToInvalid(file, e.reason());
      throw e;
    }
    Path committed = layout.committed(id);
    try {
      if (durable) {
        writeback.finish();
        force();
      }
      channel.close();
      digests.close();
      Files.deleteIfExists(layout.queued(id));
      Instant now = clock.instant();
      // rename(2) (replacing a committed file of the same id, all or nothing), the directory
      // forced when durable, and the record.
      owner.publish(id, file, committed, size, now, md5Hex);
      state.set(State.COMMITTED);
      owner.released(id);
      log.debug("committed image {}: {} bytes, md5 {}", id, size, md5Hex);
      return new CachedImage(id, size, 0, now, now, Optional.of(md5Hex));
    } catch (IOException | RuntimeException e) {
      // Publishing took the file out again itself if it failed after the rename.
      if (NoSpaceLeft.causedBy(e)) {
        delete(file, "commit failed: " + e);
      } else {
        moveToInvalid(file, "commit failed: " + e);
      }
      throw e;
    }
  }

  @Override
  public void abort(String reason) {
    if (state.compareAndSet(State.OPEN, State.ABORTED)) {
      moveToInvalid(file, reason);
    }
  }

  @Override
  public void discard(String reason) {
    if (state.compareAndSet(State.OPEN, State.ABORTED)) {
      delete(file, reason);
    }
  }

  @Override
  public void close() {
    abort("closed without commit");
  }

  /** Ends the writer as aborted: the file at {@code location} goes to {@code invalid/<id>}. */
  private void moveToInvalid(Path location, String reason) {
    state.set(State.ABORTED);
    digests.close();
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing {} failed", file, e);
    }
    Path invalid = layout.invalid(id);
    try {
      Files.move(location, invalid, StandardCopyOption.REPLACE_EXISTING);
      log.warn("image {} not cached: {}; {} bytes kept in {}", id, reason, bytesWritten, invalid);
    } catch (NoSuchFileException e) {
      log.warn("image {} not cached: {}; {} was gone already", id, reason, location);
    } catch (IOException e) {
      log.warn("image {} not cached: {}; moving {} to {} failed", id, reason, location, invalid, e);
    } finally {
      owner.released(id);
    }
  }

  /**
   * Ends the writer as aborted and deletes the file at {@code location}: its space is wanted now,
   * and bytes that failed for lack of space are no evidence of anything.
   */
  private void delete(Path location, String reason) {
    state.set(State.ABORTED);
    digests.close();
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing {} failed", file, e);
    }
    try {
      Files.deleteIfExists(location);
      log.warn("image {} not cached: {}; its {} bytes deleted to free their space", id, reason,
          bytesWritten);
    } catch (IOException e) {
      log.warn("image {} not cached: {}; deleting {} failed", id, reason, location, e);
    } finally {
      owner.released(id);
    }
  }
}
