package io.imagecache.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose response has made no progress for the write-stall timeout: bytes
 * (or a file region) are waiting to go out and not one has been taken by the client. A slow
 * download that keeps moving is never cut, and a connection with nothing to send (idle, or
 * waiting on the origin) is not this guard's business. Checks a few times per timeout on the
 * connection's event loop.
 */
final class WriteStallGuard extends ChannelInboundHandlerAdapter {
  /** The reason counted in the metrics. */
  static final String REASON = "write-stall";
  private static final long MIN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final long stallNanos;
  private final long checkNanos;
  private ScheduledFuture<?> check;
  /** What the outbound buffer looked like at the last check that saw a change. */
  private int current;
  private long pending = -1;
  private long progress = -1;
  private long lastChange;

  WriteStallGuard(Duration timeout) {
    this.stallNanos = timeout.toNanos();
    this.checkNanos = Math.max(MIN_CHECK_NANOS, stallNanos / 5);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    lastChange = System.nanoTime();
    check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), checkNanos, checkNanos,
        TimeUnit.NANOSECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    super.channelInactive(ctx);
  }

  private void check(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    if (buffer == null || buffer.current() == null) {
      current = 0;
      lastChange = now;
      return;
    }
    int nowCurrent = System.identityHashCode(buffer.current());
    long nowPending = buffer.totalPendingWriteBytes();
    long nowProgress = buffer.currentProgress();
    if (nowCurrent != current || nowPending != pending || nowProgress != progress) {
      current = nowCurrent;
      pending = nowPending;
      progress = nowProgress;
      lastChange = now;
      return;
    }
    if (now - lastChange >= stallNanos && ctx.channel().isActive()) {
      ServerMetrics metrics = ctx.channel().attr(ServerMetrics.KEY).get();
      if (metrics != null) {
        metrics.connectionClosed(REASON);
      }
      check.cancel(false);
      ctx.close();
    }
  }
}
