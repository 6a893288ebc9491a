package io.imagecache.server;

import io.imagecache.Download;
import io.netty.channel.DefaultFileRegion;

/**
 * A zero-copy region of a hit's file (a {@link DefaultFileRegion}, so the epoll transport sends it
 * with sendfile) that, once sent or dropped, closes the hit instead of the channel: the channel may
 * be shared with other hits, and closing the hit releases this one's share.
 */
final class HitFileRegion extends DefaultFileRegion {
  private final Download.Hit hit;

  HitFileRegion(Download.Hit hit, long position, long count) {
    super(hit.channel(), position, count);
    this.hit = hit;
  }

  @Override
  protected void deallocate() {
    ImageFileExchange.closeQuietly(hit);
  }
}
