package io.imagecache.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.util.Optional;

/**
 * The pipeline of every connection: the read timeouts, TLS (on the TLS listener), the HTTP/1.1
 * codec, the write-stall guard, the access log (when on), the served-bytes counter, the chunked
 * file writer (TLS only: files cannot go by sendfile), the router. A connection beyond
 * {@code max-connections} gets the codec, the read timeouts and a short 503 instead. The read
 * timeouts come first so that a client stalling in the TLS handshake is closed like one stalling
 * in its request head.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8 * 1024;
  /** Request bodies (uploads passed through to Glance) arrive in slices of up to 64 KiB. */
  private static final int MAX_CHUNK = 64 * 1024;

  private final ServerContext context;
  private final RouteTable routes;
  private final ClientLimits limits;
  private final Optional<ServerTls> tls;

  /** The pipeline of a listener; its connections speak TLS with {@code tls}'s current context. */
  ServerInitializer(ServerContext context, RouteTable routes, ClientLimits limits,
      Optional<ServerTls> tls) {
    this.context = context;
    this.routes = routes;
    this.limits = limits;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    Connections connections = channel.attr(Connections.KEY).get();
    ClientTimeouts timeouts = new ClientTimeouts(limits.headerTimeout(), limits.idleTimeout());
    ChannelPipeline pipeline = channel.pipeline().addLast("read-timeouts", timeouts.bytes());
    tls.ifPresent(server -> pipeline.addLast("tls", server.newHandler(channel)));
    pipeline
        .addLast("http",
            new HttpServerCodec(MAX_INITIAL_LINE, limits.maxHeaderSize(), MAX_CHUNK))
        .addLast("response-ends", timeouts.messages());
    if (!connections.admit(channel)) {
      ServerMetrics metrics = channel.attr(ServerMetrics.KEY).get();
      if (metrics != null) {
        metrics.connectionRefused();
      }
      pipeline.addLast("over-limit", new OverLimitAnswer(connections.limit()));
      return;
    }
    pipeline.addLast("write-stall", new WriteStallGuard(limits.writeStallTimeout()));
    if (AccessLogHandler.enabled()) {
      pipeline.addLast("access-log", new AccessLogHandler());
    }
    pipeline.addLast("served-bytes", new ServedBytesCounter());
    if (tls.isPresent()) {
      pipeline.addLast("chunked", new ChunkedWriteHandler());
    }
    pipeline
        .addLast("router", new RequestRouter(context, routes));
    connections.opened(channel);
  }
}
