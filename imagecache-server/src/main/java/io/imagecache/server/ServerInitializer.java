package io.imagecache.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of every connection: the HTTP/1.1 codec, the access log (when on), the served-bytes
 * counter, the router.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 32 * 1024;
  /** Request bodies (uploads passed through to Glance) arrive in slices of up to 64 KiB. */
  private static final int MAX_CHUNK = 64 * 1024;

  private final ServerContext context;
  private final RouteTable routes;

  ServerInitializer(ServerContext context, RouteTable routes) {
    this.context = context;
    this.routes = routes;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    channel.pipeline()
        .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK));
    if (AccessLogHandler.enabled()) {
      channel.pipeline().addLast("access-log", new AccessLogHandler());
    }
    channel.pipeline()
        .addLast("served-bytes", new ServedBytesCounter())
        .addLast("router", new RequestRouter(context, routes));
    channel.attr(Connections.KEY).get().opened(channel);
  }
}
