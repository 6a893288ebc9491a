package io.imagecache.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The read timeouts of one connection: the request head must be complete within the header
 * timeout of the accept (or of its own first byte, for a later request), and between requests the
 * connection may be idle for the idle timeout; either runs out and the connection is closed.
 * While a request is being answered neither runs (the body may take minutes; {@link
 * WriteStallGuard} watches it). Two handlers share this state: {@link #bytes} before the HTTP
 * codec (sees the first byte of a head), {@link #messages} after it (sees complete heads and the
 * end of each response). Confined to the connection's event loop.
 */
final class ClientTimeouts {
  /** Why a connection was closed by a timeout, as counted in the metrics. */
  enum Reason {
    HEADER_TIMEOUT("header-timeout"), IDLE_TIMEOUT("idle-timeout");

    final String label;

    Reason(String label) {
      this.label = label;
    }
  }

  private final Duration headerTimeout;
  private final Duration idleTimeout;
  /** Request heads received whose response has not been sent to its end yet. */
  private int inFlight;
  /** The timer running, if any, and what it stands for. */
  private ScheduledFuture<?> timer;
  private Reason running;

  ClientTimeouts(Duration headerTimeout, Duration idleTimeout) {
    this.headerTimeout = headerTimeout;
    this.idleTimeout = idleTimeout;
  }

  /** The handler that goes before the HTTP codec. */
  ChannelInboundHandlerAdapter bytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx, Reason.HEADER_TIMEOUT);
        super.channelActive(ctx);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inFlight == 0 && running == Reason.IDLE_TIMEOUT) {
          arm(ctx, Reason.HEADER_TIMEOUT);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
      }
    };
  }

  /** The handler that goes after the HTTP codec. */
  ChannelDuplexHandler messages() {
    return new ChannelDuplexHandler() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          inFlight++;
          cancel();
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInterim(msg)) {
          ChannelPromise sent = promise.unvoid();
          sent.addListener(done -> responseEnded(ctx));
          ctx.write(msg, sent);
        } else {
          ctx.write(msg, promise);
        }
      }
    };
  }

  /** A {@code 100 Continue} (or other 1xx) is not the end of its request's response. */
  private static boolean isInterim(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }

  private void responseEnded(ChannelHandlerContext ctx) {
    if (inFlight > 0) {
      inFlight--;
    }
    if (inFlight == 0 && ctx.channel().isActive()) {
      arm(ctx, Reason.IDLE_TIMEOUT);
    }
  }

  private void arm(ChannelHandlerContext ctx, Reason reason) {
    cancel();
    Duration after = reason == Reason.HEADER_TIMEOUT ? headerTimeout : idleTimeout;
    running = reason;
    timer = ctx.executor().schedule(() -> expired(ctx, reason), after.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void expired(ChannelHandlerContext ctx, Reason reason) {
    if (running != reason || inFlight > 0 || !ctx.channel().isActive()) {
      return;
    }
    timer = null;
    running = null;
    ServerMetrics metrics = ctx.channel().attr(ServerMetrics.KEY).get();
    if (metrics != null) {
      metrics.connectionClosed(reason.label);
    }
    ctx.close();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    running = null;
  }
}
