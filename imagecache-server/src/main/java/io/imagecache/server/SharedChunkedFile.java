package io.imagecache.server;

import io.netty.handler.stream.ChunkedNioFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A part of a file other responses read too, read in large chunks for a connection that encrypts
 * (sendfile cannot): like {@link SharedFileRegion}, ending it never closes the file channel but
 * {@code release}, the sender's share of the file.
 */
final class SharedChunkedFile extends ChunkedNioFile {
  /**
   * Bytes per read: large enough for few reads and writes, small enough that a chunk and its
   * encrypted copy per connection stay far below the 64 MiB of direct memory the launcher allows.
   */
  static final int CHUNK_SIZE = 256 * 1024;

  private final Closeable release;

  SharedChunkedFile(FileChannel file, long position, long count, Closeable release)
      throws IOException {
    super(file, position, count, CHUNK_SIZE);
    this.release = release;
  }

  @Override
  public void close() {
    ImageFileExchange.closeQuietly(release);
  }
}
