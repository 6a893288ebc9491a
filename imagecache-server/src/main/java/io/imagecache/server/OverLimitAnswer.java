package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * The whole pipeline behind the codec of a connection accepted beyond {@code max-connections}:
 * its first request gets a short {@code 503} with {@code Retry-After} and the connection closes.
 */
final class OverLimitAnswer extends ChannelInboundHandlerAdapter {
  private final int limit;
  private boolean answered;

  OverLimitAnswer(int limit) {
    this.limit = limit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request && !answered) {
        answered = true;
        FullHttpResponse response = Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
            "too many connections (the server's limit is " + limit + "): try again later");
        response.headers().set("Retry-After", "1");
        Responses.send(ctx, RequestInfo.of(request).closing(), response);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
