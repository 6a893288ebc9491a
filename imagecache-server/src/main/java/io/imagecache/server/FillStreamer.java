package io.imagecache.server;

import io.imagecache.Download;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends an image while a fill writes it: each step waits (without blocking the event loop) until
 * the fill has bytes past the current position, then sends all of them as one zero-copy region,
 * and goes on once that write is done, so a slow client holds at most one region in flight and
 * never slows the fill.
 *
 * <p>Never a clean end of wrong bytes: the last byte of a response of known length, and the end of
 * a chunked one, are sent only once the fill is verified (size and digests matched and the image
 * committed). If the fill fails, the connection is closed instead, mid-body.
 *
 * <p>Event-loop confined, apart from the fill's futures, whose continuations hop to the loop.
 */
final class FillStreamer {
  private final ImageFileExchange exchange;
  private final ChannelHandlerContext ctx;
  private final Download.Filling filling;
  private final CompletableFuture<Void> verified;
  /** Exclusive end of the bytes to send; -1 when the size is unknown (chunked). */
  private final long end;
  /** The next byte to send. */
  private long position;

  FillStreamer(ImageFileExchange exchange, ChannelHandlerContext ctx, Download.Filling filling,
      Optional<ByteRange> part) {
    this.exchange = exchange;
    this.ctx = ctx;
    this.filling = filling;
    this.verified = filling.verified();
    this.position = part.map(ByteRange::first).orElse(0L);
    this.end = part.map(range -> range.last() + 1)
        .orElse(filling.info().size().isPresent() ? filling.info().size().getAsLong() : -1);
  }

  void start(HttpResponse head) {
    ctx.writeAndFlush(head).addListener(future -> {
      if (future.isSuccess()) {
        step();
      } else {
        stop();
      }
    });
  }

  private void step() {
    if (!ctx.channel().isActive()) {
      stop();
      return;
    }
    if (end >= 0 && position >= end) {
      whenVerified(this::finish);
      return;
    }
    filling.awaitBytes(position).whenComplete((available, failure) -> onLoop(() -> {
      if (failure != null) {
        broken("the fill failed: " + Failures.unwrap(failure));
      } else {
        send(available);
      }
    }));
  }

  private void send(long available) {
    boolean isVerified = verified.isDone() && !verified.isCompletedExceptionally();
    long limit = end >= 0 ? Math.min(available, end) : available;
    if (!isVerified && end >= 0) {
      limit = Math.min(limit, end - 1);
    }
    if (limit > position) {
      long from = position;
      position = limit;
      ctx.writeAndFlush(FileBody.of(ctx, filling.channel(), from, limit - from))
          .addListener(future -> {
            if (future.isSuccess()) {
              step();
            } else {
              stop();
            }
          });
    } else if (end < 0 && isVerified) {
      finish();
    } else {
      whenVerified(this::step);
    }
  }

  /** Runs {@code next} on the loop once the fill is verified; breaks the response if it fails. */
  private void whenVerified(Runnable next) {
    verified.whenComplete((ignored, failure) -> onLoop(() -> {
      if (failure != null) {
        broken("the fill failed: " + Failures.unwrap(failure));
      } else {
        next.run();
      }
    }));
  }

  /**
   * Runs {@code step} on the connection's loop; when the loop has shut down (the server closed
   * while the fill went on) the file is released here, as nothing will run there any more.
   */
  private void onLoop(Runnable step) {
    try {
      ctx.executor().execute(step);
    } catch (RejectedExecutionException e) {
      ImageFileExchange.closeQuietly(filling);
    }
  }

  private void finish() {
    ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    last.addListener(future -> ImageFileExchange.closeQuietly(filling));
    exchange.streamed(last);
  }

  private void broken(String why) {
    ImageFileExchange.closeQuietly(filling);
    exchange.broken(why);
  }

  /** The client went away or a write failed: nothing more to send. */
  private void stop() {
    ImageFileExchange.closeQuietly(filling);
    exchange.abortQuietly();
  }
}
