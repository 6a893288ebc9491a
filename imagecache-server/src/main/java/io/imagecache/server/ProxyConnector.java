package io.imagecache.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

/**
 * Opens the one upstream connection of a proxied request: in production a {@code Bootstrap} on
 * the inbound channel's own event loop; in handler tests an {@code EmbeddedChannel}.
 */
@FunctionalInterface
interface ProxyConnector {
  /**
   * Starts connecting; the returned future's channel is usable at once for {@code close()} and
   * has {@code pipeline} installed.
   */
  ChannelFuture connect(Channel inbound, ChannelHandler pipeline);
}
