package io.imagecache.internal.origin;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;

/**
 * A range of an image in memory that gives at most 4 KiB per read, so that the connections of a
 * segmented body overlap; a test may run something before each read and at the first close.
 */
final class SmallReads implements ReadableByteChannel {
  private static final int READ_SIZE = 4096;

  /** Runs before each read; may fail it. */
  interface BeforeRead {
    void run() throws IOException;
  }

  private final ReadableByteChannel bytes;
  private final BeforeRead beforeRead;
  private final Runnable onClose;

  /** Bytes {@code [from, to)} of {@code image}. */
  SmallReads(byte[] image, long from, long to, BeforeRead beforeRead, Runnable onClose) {
    this.bytes = Channels.newChannel(
        new ByteArrayInputStream(image, (int) from, (int) (to - from)));
    this.beforeRead = beforeRead;
    this.onClose = onClose;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    beforeRead.run();
    ByteBuffer small = dst.slice().limit(Math.min(dst.remaining(), READ_SIZE));
    int n = bytes.read(small);
    if (n > 0) {
      dst.position(dst.position() + n);
    }
    return n;
  }

  @Override
  public boolean isOpen() {
    return bytes.isOpen();
  }

  @Override
  public void close() throws IOException {
    if (bytes.isOpen()) {
      onClose.run();
    }
    bytes.close();
  }
}
