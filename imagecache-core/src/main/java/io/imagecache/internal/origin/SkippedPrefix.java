package io.imagecache.internal.origin;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reading past the start of a body that was sent whole when only its rest was wanted. */
final class SkippedPrefix {
  private SkippedPrefix() {}

  /**
   * Reads and drops the first {@code offset} bytes of {@code body} and returns it, positioned
   * there; closes it and throws {@link EOFException} when it ends before.
   */
  static ReadableByteChannel skip(ReadableByteChannel body, long offset) throws IOException {
    ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
    long left = offset;
    try {
      while (left > 0) {
        scratch.clear().limit((int) Math.min(scratch.capacity(), left));
        int n = body.read(scratch);
        if (n < 0) {
          throw new EOFException("the body ended " + left + " bytes before byte " + offset);
        }
        left -= n;
      }
    } catch (IOException | RuntimeException e) {
      body.close();
      throw e;
    }
    return body;
  }
}
