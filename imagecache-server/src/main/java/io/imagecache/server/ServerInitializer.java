package io.imagecache.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.util.Optional;

/**
 * The pipeline of every connection: TLS (on the TLS listener), the HTTP/1.1 codec, the access log
 * (when on), the served-bytes counter, the chunked file writer (TLS only: files cannot go by
 * sendfile), the router.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 32 * 1024;
  /** Request bodies (uploads passed through to Glance) arrive in slices of up to 64 KiB. */
  private static final int MAX_CHUNK = 64 * 1024;

  private final ServerContext context;
  private final RouteTable routes;
  private final Optional<ServerTls> tls;

  ServerInitializer(ServerContext context, RouteTable routes) {
    this(context, routes, Optional.empty());
  }

  /** The pipeline of a listener whose connections speak TLS with {@code tls}'s current context. */
  ServerInitializer(ServerContext context, RouteTable routes, Optional<ServerTls> tls) {
    this.context = context;
    this.routes = routes;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    tls.ifPresent(server -> channel.pipeline().addLast("tls", server.newHandler(channel)));
    channel.pipeline()
        .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_CHUNK));
    if (AccessLogHandler.enabled()) {
      channel.pipeline().addLast("access-log", new AccessLogHandler());
    }
    channel.pipeline()
        .addLast("served-bytes", new ServedBytesCounter());
    if (tls.isPresent()) {
      channel.pipeline().addLast("chunked", new ChunkedWriteHandler());
    }
    channel.pipeline()
        .addLast("router", new RequestRouter(context, routes));
    channel.attr(Connections.KEY).get().opened(channel);
  }
}
