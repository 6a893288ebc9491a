package io.imagecache.server;

import io.netty.channel.DefaultFileRegion;
import java.io.Closeable;
import java.nio.channels.FileChannel;

/**
 * A zero-copy region of a file other regions or responses read too (a {@link DefaultFileRegion},
 * so the epoll transport still sends it with sendfile). Releasing it never closes the channel: it
 * closes {@code release} instead, the sender's share of the file (a hit's reader), or nothing
 * when the download that opened the channel closes it itself (a fill sent as many regions).
 */
final class SharedFileRegion extends DefaultFileRegion {
  private static final Closeable NOTHING = () -> {};

  private final Closeable release;

  /** A region of a channel whose owner closes it. */
  SharedFileRegion(FileChannel file, long position, long count) {
    this(file, position, count, NOTHING);
  }

  /** A region that closes {@code release} once it is sent or dropped. */
  SharedFileRegion(FileChannel file, long position, long count, Closeable release) {
    super(file, position, count);
    this.release = release;
  }

  @Override
  protected void deallocate() {
    ImageFileExchange.closeQuietly(release);
  }
}
