package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

/** An exchange whose whole response is known when the request head arrives. */
final class ImmediateExchange extends LocalExchange {
  private ImmediateExchange(ChannelHandlerContext ctx, RequestInfo request) {
    super(ctx, request);
  }

  static Exchange send(ChannelHandlerContext ctx, RequestInfo request, FullHttpResponse response) {
    ImmediateExchange exchange = new ImmediateExchange(ctx, request);
    exchange.respond(response);
    return exchange;
  }
}
