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
 * Counts the body bytes of image responses once each write of them succeeded: file regions and
 * content chunks, never the response head; and tells the image exchange when its response head
 * was written (its time to first byte). One per connection, in front of the router, so the
 * pipeline never changes per request; it counts only while an image exchange has pointed it at a
 * counter ({@link #countInto}) and until that exchange ends ({@link #stop}). Event-loop confined.
 */
final class ServedBytesCounter extends ChannelOutboundHandlerAdapter {
  /** Where the current image response's bytes go; null between image responses. */
  private Counter counter;
  /** Run once the current image response's head is written; null once run or between them. */
  private Runnable headWritten;

  /**
   * Counts what is written from now on into {@code target}, and runs {@code onHead} once the
   * next response head has been written.
   */
  void countInto(Counter target, Runnable onHead) {
    counter = target;
    headWritten = onHead;
  }

  /** Stops counting into {@code target}, unless a later exchange pointed elsewhere already. */
  void stop(Counter target) {
    if (counter == target) {
      counter = null;
      headWritten = null;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    Counter target = counter;
    long bytes = target == null ? 0 : bodyBytes(msg);
    Runnable onHead = msg instanceof HttpResponse ? headWritten : null;
    if (bytes <= 0 && onHead == null) {
      ctx.write(msg, promise);
      return;
    }
    if (onHead != null) {
      headWritten = null;
    }
    ChannelPromise counted = promise.unvoid();
    counted.addListener(future -> {
      if (future.isSuccess()) {
        if (onHead != null) {
          onHead.run();
        }
        if (bytes > 0) {
          target.increment(bytes);
        }
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
