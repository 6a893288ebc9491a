package io.imagecache.internal.store;

import io.imagecache.CachedImage;
import io.imagecache.ImageId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The one writer of an image's {@code incomplete/} file. It counts bytes and computes every
 * expected digest as it writes; 4 KiB blocks of zeros it leaves as holes (the file is sparse, and
 * at least as long as the bytes published). Every writer ends in {@link #commit()} or in an abort:
 * closing it without a commit moves the file to {@code invalid/} with the reason logged. A write
 * or commit that fails for lack of space ({@link NoSpaceLeft}) deletes the file instead, so that
 * the space is free at once; so does {@link #discard}.
 *
 * <p>One thread writes, advances and commits; {@link #writeAt} may come from several threads at
 * once for disjoint ranges. {@link #bytesWritten()} may be read from any thread.
 */
public interface CacheWriter extends AutoCloseable {

  ImageId imageId();

  /** The file being written, which readers may open and follow while it grows. */
  Path file();

  /**
   * Bytes published so far; every byte below this offset is in the file (zeros maybe as a hole),
   * and readers and digests see no further.
   */
  long bytesWritten();

  /** Writes all remaining bytes of {@code src} after the bytes published, and publishes them. */
  void write(ByteBuffer src) throws IOException;

  /**
   * Writes all remaining bytes of {@code src} at {@code offset}, at or beyond {@link
   * #bytesWritten()}, without publishing them: a segmented fetch writes each segment at its offset
   * from its own connection's thread, and publishes with {@link #advance} only the contiguous
   * prefix. Several threads may write disjoint ranges at once.
   */
  void writeAt(long offset, ByteBuffer src) throws IOException;

  /** Publishes every byte below {@code end}, all written by {@link #writeAt} (zeros maybe skipped). */
  void advance(long end) throws IOException;

  /**
   * Forces the bytes written so far to disk, so that the force inside {@link #commit()} finds
   * little left to do (a caller may force before taking a lock it holds across the commit).
   */
  void force() throws IOException;

  /**
   * Verifies size and digests, forces the file to disk (unless durability is off), renames it
   * atomically to {@code <dir>/<id>}, syncs the directory, removes the queue marker and records the
   * metadata.
   *
   * @throws ContentMismatchException when the size or a digest differs; the file is in
   *     {@code invalid/}
   * @throws IOException when the commit failed otherwise; the file is in {@code invalid/}, or
   *     deleted when the failure was a lack of space
   * @throws IllegalStateException when the writer was committed or aborted already
   */
  CachedImage commit() throws IOException;

  /** Moves the file to {@code invalid/}, logging {@code reason}. Does nothing once committed. */
  void abort(String reason);

  /**
   * Aborts as {@link #abort} does but deletes the file instead of keeping it in {@code invalid/}:
   * for failures that say nothing about the bytes and need their space (the disk is full, the
   * admission gave no more room). Does nothing once committed or aborted.
   */
  void discard(String reason);

  /** Aborts with "closed without commit" unless committed or aborted. */
  @Override
  void close();
}
