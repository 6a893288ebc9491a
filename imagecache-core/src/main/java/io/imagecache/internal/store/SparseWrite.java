package io.imagecache.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes a chunk at its file offset but leaves the parts of it that are all zeros unwritten, so
 * that they stay holes in the file: a raw VM image takes only its data on disk. The chunk is cut
 * at the {@link #BLOCK_SIZE} boundaries of the file (not of the chunk), and each piece that holds
 * only zeros is skipped; a block that two chunks share is a hole only when both of its pieces are
 * zeros. A hole reads as zeros, so the file's bytes are the chunk's either way; the caller extends
 * the file's length over a skipped end ({@link WriterFiles#setLength}).
 *
 * <p>Costs almost nothing on data: the first non-zero long of a block ends its check, and the
 * pieces between skipped ones go out in one positional write each.
 */
final class SparseWrite {
  /** The file-system block: the unit a hole can save. */
  static final int BLOCK_SIZE = 4096;

  private SparseWrite() {}

  /**
   * Writes the remaining bytes of {@code src} at file offset {@code position}, skipping the zero
   * pieces, and moves {@code src}'s position to its limit.
   *
   * @return whether the last byte was written; false when the chunk ends in a skipped piece (the
   *     file is then shorter than {@code position + remaining} until extended)
   */
  static boolean write(WriterFiles files, FileChannel channel, ByteBuffer src, long position)
      throws IOException {
    int start = src.position();
    int end = src.limit();
    int dataStart = start;
    int piece = start;
    while (piece < end) {
      long offset = position + (piece - start);
      int pieceEnd = (int) Math.min(end, piece + (BLOCK_SIZE - offset % BLOCK_SIZE));
      if (isZero(src, piece, pieceEnd)) {
        if (dataStart < piece) {
          files.write(channel, src.slice(dataStart, piece - dataStart),
              position + (dataStart - start));
        }
        dataStart = pieceEnd;
      }
      piece = pieceEnd;
    }
    boolean lastWritten = dataStart < end;
    if (lastWritten) {
      files.write(channel, src.slice(dataStart, end - dataStart), position + (dataStart - start));
    }
    src.position(end);
    return lastWritten;
  }

  /** Whether {@code buffer[from, to)} holds only zeros; stops at the first long that is not 0. */
  static boolean isZero(ByteBuffer buffer, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      if (buffer.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (buffer.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
