package io.imagecache.server;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A zero-copy region of a file that several regions in turn read from: releasing it leaves the
 * channel open (a growing file is sent as many regions), and whoever opened the channel closes it.
 */
final class SharedFileRegion extends DefaultFileRegion {
  SharedFileRegion(FileChannel file, long position, long count) {
    super(file, position, count);
  }

  @Override
  protected void deallocate() {
    // The channel belongs to the download, which closes it when the response ends.
  }
}
