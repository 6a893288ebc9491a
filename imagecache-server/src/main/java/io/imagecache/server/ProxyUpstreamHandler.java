package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Last handler of an upstream connection ({@code [SslHandler,] HttpClientCodec, this}): hands
 * everything the Glance origin does to the one {@link ProxyExchange} the connection serves.
 * Created per connection; runs on the inbound channel's event loop like the exchange.
 */
final class ProxyUpstreamHandler extends ChannelInboundHandlerAdapter {
  private final ProxyExchange exchange;

  ProxyUpstreamHandler(ProxyExchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    exchange.upstreamRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    exchange.upstreamReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    exchange.upstreamWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    exchange.upstreamClosed();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
      exchange.upstreamFailed(handshake.cause());
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    exchange.upstreamFailed(cause);
    ctx.close();
  }
}
