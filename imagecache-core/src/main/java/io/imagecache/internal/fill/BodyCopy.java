package io.imagecache.internal.fill;

import io.imagecache.FillFailureReason;
import io.imagecache.internal.store.CacheWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A fill's copy loop: reads the origin's body in large chunks into the writer and publishes each
 * chunk once the reservation accepted the new size. Remembers which step a failure happened in
 * (reading the body, or writing the file). Fill thread only.
 */
final class BodyCopy {
  /** The copy buffer: large reads keep syscalls and lock round trips per byte low. */
  private static final int CHUNK_SIZE = 1 << 20;

  /** Where the fill hears of the copy's progress. */
  interface Progress {
    /** {@code count} bytes came from the body. */
    void bytesRead(int count);

    /** {@code total} bytes are on disk; throws when the fill was cancelled meanwhile. */
    void published(long total) throws IOException;
  }

  /** Whether the copy is (or failed while) reading the body. */
  private boolean readingBody;

  /** Copies {@code body} to its end into {@code writer}. */
  void copy(ReadableByteChannel body, CacheWriter writer, FillAdmission.Reservation reservation,
      Progress progress) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_SIZE);
    while (true) {
      buffer.clear();
      readingBody = true;
      int read = body.read(buffer);
      readingBody = false;
      if (read < 0) {
        return;
      }
      if (read > 0) {
        progress.bytesRead(read);
      }
      buffer.flip();
      writer.write(buffer);
      reservation.grown(writer.bytesWritten());
      progress.published(writer.bytesWritten());
    }
  }

  /** The step a failure of {@link #copy} happened in: reading the body or writing the file. */
  FillFailureReason failedStep() {
    return readingBody ? FillFailureReason.TRUNCATED : FillFailureReason.DISK;
  }
}
