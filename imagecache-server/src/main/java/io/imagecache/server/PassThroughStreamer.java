package io.imagecache.server;

import io.imagecache.Download;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * Streams an image that is not cached straight from the origin: one chunk read on the blocking
 * executor, written, and the next read only once that write is done, so memory stays at one chunk
 * per response. The body verifies itself and fails rather than end with wrong bytes; a failure
 * closes the connection mid-body.
 */
final class PassThroughStreamer {
  private static final int CHUNK = 256 * 1024;

  private final ImageFileExchange exchange;
  private final ChannelHandlerContext ctx;
  private final Executor blocking;
  private final Download.PassThrough download;

  PassThroughStreamer(ImageFileExchange exchange, ChannelHandlerContext ctx, Executor blocking,
      Download.PassThrough download) {
    this.exchange = exchange;
    this.ctx = ctx;
    this.blocking = blocking;
    this.download = download;
  }

  void start(HttpResponse head) {
    ctx.writeAndFlush(head).addListener(future -> {
      if (future.isSuccess()) {
        pump();
      } else {
        stop();
      }
    });
  }

  private void pump() {
    if (!ctx.channel().isActive()) {
      stop();
      return;
    }
    ByteBuf buffer = ctx.alloc().directBuffer(CHUNK);
    Blocking.call(blocking, () -> readInto(buffer)).whenComplete((read, failure) ->
        ctx.executor().execute(() -> {
          if (failure != null) {
            buffer.release();
            ImageFileExchange.closeQuietly(download);
            exchange.broken("the origin's body failed: " + Failures.unwrap(failure));
          } else if (read < 0) {
            buffer.release();
            ImageFileExchange.closeQuietly(download);
            exchange.streamed(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
          } else {
            ctx.writeAndFlush(new DefaultHttpContent(buffer)).addListener(future -> {
              if (future.isSuccess()) {
                pump();
              } else {
                stop();
              }
            });
          }
        }));
  }

  /** Reads the next bytes of the body into {@code buffer}; -1 at its verified end. */
  private int readInto(ByteBuf buffer) throws IOException {
    ByteBuffer target = buffer.nioBuffer(0, buffer.capacity());
    int read;
    do {
      read = download.body().read(target);
    } while (read == 0);
    if (read > 0) {
      buffer.writerIndex(read);
    }
    return read;
  }

  private void stop() {
    ImageFileExchange.closeQuietly(download);
    exchange.abortQuietly();
  }
}
