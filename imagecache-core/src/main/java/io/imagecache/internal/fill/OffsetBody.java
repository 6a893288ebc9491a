package io.imagecache.internal.fill;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A fill body that writes itself into the fill's file at its offsets, from several connections at
 * once (a segmented fetch), instead of being read in order: the fill publishes only the contiguous
 * prefix the body reports, so readers and digests see the bytes in order as before. A body is
 * either written this way or read, never both.
 */
public interface OffsetBody {

  /** Where the body's bytes go. */
  interface Target {
    /**
     * Writes all remaining bytes of {@code src} at {@code offset}, beyond what was published; may
     * come from several of the body's threads at once, for disjoint ranges.
     */
    void writeAt(long offset, ByteBuffer src) throws IOException;

    /** Every byte below {@code end} was written: publishes them. The thread of writeTo only. */
    void advance(long end) throws IOException;
  }

  /**
   * Writes the whole body into {@code target} and returns once every byte was advanced over; on
   * the calling thread, which may use {@code buffer} (the fill's copy buffer) for its own reads.
   */
  void writeTo(Target target, ByteBuffer buffer) throws IOException;
}
