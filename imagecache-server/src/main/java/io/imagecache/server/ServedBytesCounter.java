package io.imagecache.server;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Counts the body bytes of one image response once each write of them succeeded: file regions
 * and content chunks, never the response head. Sits in the pipeline in front of the router for
 * the time of one exchange. Event-loop confined.
 */
final class ServedBytesCounter extends ChannelOutboundHandlerAdapter {
  private final Counter counter;

  ServedBytesCounter(Counter counter) {
    this.counter = counter;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    long bytes = bodyBytes(msg);
    if (bytes <= 0) {
      ctx.write(msg, promise);
      return;
    }
    ChannelPromise counted = promise.unvoid();
    counted.addListener(future -> {
      if (future.isSuccess()) {
        counter.increment(bytes);
      }
    });
    ctx.write(msg, counted);
  }

  /** The body bytes {@code msg} carries; 0 for a response head and anything else. */
  static long bodyBytes(Object msg) {
    if (msg instanceof FileRegion region) {
      return region.count();
    }
    if (msg instanceof HttpContent content && !(msg instanceof HttpResponse)) {
      return content.content().readableBytes();
    }
    if (msg instanceof ByteBuf buffer) {
      return buffer.readableBytes();
    }
    return 0;
  }
}
