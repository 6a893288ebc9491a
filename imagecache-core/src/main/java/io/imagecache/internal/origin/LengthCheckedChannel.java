package io.imagecache.internal.origin;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** A channel that must deliver exactly {@code expectedSize} bytes: an early end is an {@link EOFException}. */
final class LengthCheckedChannel implements ReadableByteChannel {
  private final ReadableByteChannel in;
  private final long expectedSize;
  private final String sourceName;
  /** Bytes delivered so far; touched only by the reader thread. */
  private long delivered;

  LengthCheckedChannel(ReadableByteChannel in, long expectedSize, String sourceName) {
    this.in = in;
    this.expectedSize = expectedSize;
    this.sourceName = sourceName;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    long left = expectedSize - delivered;
    if (left <= 0) {
      return -1;
    }
    int n;
    if (dst.remaining() > left) {
      ByteBuffer window = dst.slice();
      window.limit((int) left);
      n = in.read(window);
      if (n > 0) {
        dst.position(dst.position() + n);
      }
    } else {
      n = in.read(dst);
    }
    if (n < 0) {
      throw new EOFException(sourceName + " sent " + delivered + " of " + expectedSize + " bytes");
    }
    delivered += n;
    return n;
  }

  @Override
  public boolean isOpen() {
    return in.isOpen();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
