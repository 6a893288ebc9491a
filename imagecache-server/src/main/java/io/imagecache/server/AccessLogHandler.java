package io.imagecache.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one access-log line per request to the logger {@value #LOGGER} when its response has
 * been written to the socket, or when the connection ends first (marked {@code aborted}). One per
 * connection, between the HTTP codec and the rest, confined to its event loop; it only formats
 * the line, the appender behind the logger does the I/O on its own thread. Responses are matched
 * to requests in order (HTTP/1.1 pipelining answers in order); exchanges name how they answered
 * through {@link #result}.
 */
final class AccessLogHandler extends ChannelDuplexHandler {
  /** The logger the access log is written to. */
  static final String LOGGER = "imagecache.access";
  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);

  /** Requests read and not yet logged, oldest (the one being answered) first. */
  private final ArrayDeque<AccessEntry> entries = new ArrayDeque<>();

  /** Whether the access log is on (its logger logs INFO); checked once per connection. */
  static boolean enabled() {
    return ACCESS.isInfoEnabled();
  }

  /** Records how the request now being answered on {@code ctx}'s connection was answered. */
  static void result(ChannelHandlerContext ctx, AccessResult result) {
    AccessLogHandler handler = ctx.pipeline().get(AccessLogHandler.class);
    if (handler != null && !handler.entries.isEmpty()) {
      handler.entries.peek().result(result);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      entries.add(new AccessEntry(client(ctx.channel().remoteAddress()), request));
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    AccessEntry entry = entries.peek();
    if (entry == null) {
      ctx.write(msg, promise);
      return;
    }
    boolean head = msg instanceof HttpResponse response
        && response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
    if (head) {
      entry.status(((HttpResponse) msg).status().code());
    }
    boolean last = msg instanceof LastHttpContent && (head || entry.hasStatus());
    long bytes = msg instanceof FullHttpResponse full
        ? full.content().readableBytes()
        : ServedBytesCounter.bodyBytes(msg);
    if (last) {
      entries.poll();
    }
    ChannelPromise watched = promise.unvoid();
    watched.addListener(future -> {
      if (!future.isSuccess()) {
        if (last) {
          entry.log(ACCESS, true);
        }
        return;
      }
      if (head) {
        entry.firstByte();
      }
      entry.addBytes(bytes);
      if (last) {
        entry.log(ACCESS, false);
      }
    });
    ctx.write(msg, watched);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    // Requests whose response never ended: cut, or never answered.
    while (!entries.isEmpty()) {
      entries.poll().log(ACCESS, true);
    }
    super.channelInactive(ctx);
  }

  private static String client(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }
}
