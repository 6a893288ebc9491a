package io.imagecache.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's open connections, for the connection limit and a drain. A connection beyond the
 * limit is not {@linkplain #admit admitted}: it gets a short 503 and is not counted. Once {@link #drain} is called, each connection
 * closes as soon as it is not answering a request (the {@link RequestRouter} decides, on its
 * event loop), and any connection accepted later closes at once.
 */
final class Connections {
  /** The channel attribute every accepted connection carries. */
  static final AttributeKey<Connections> KEY = AttributeKey.valueOf("imagecache.connections");
  /** The user event that tells a connection's router to close once its response is sent. */
  static final Object DRAIN = new Object() {
    @Override
    public String toString() {
      return "DRAIN";
    }
  };

  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private volatile boolean draining;
  private final int limit;
  private final AtomicInteger admitted = new AtomicInteger();

  Connections(int limit) {
    this.limit = limit;
  }

  /**
   * Counts {@code channel} as open if fewer than the limit are, until it closes.
   *
   * @return whether it was admitted; if not, the caller answers it with a 503
   */
  boolean admit(Channel channel) {
    if (admitted.incrementAndGet() > limit) {
      admitted.decrementAndGet();
      return false;
    }
    channel.closeFuture().addListener(closed -> admitted.decrementAndGet());
    return true;
  }

  /** The limit of open connections. */
  int limit() {
    return limit;
  }

  /** How many admitted connections are open. */
  int admitted() {
    return admitted.get();
  }

  /** Registers an accepted connection; one accepted during a drain is closed at once. */
  void opened(Channel channel) {
    open.add(channel);
    if (draining) {
      channel.close();
    }
  }

  /**
   * Asks every connection to close once its current response is sent, and waits up to
   * {@code grace} for all of them to be closed.
   *
   * @return how many connections were still open when {@code grace} ran out (0: all closed)
   */
  int drain(Duration grace) throws InterruptedException {
    draining = true;
    for (Channel channel : open) {
      channel.pipeline().fireUserEventTriggered(DRAIN);
    }
    open.newCloseFuture().await(grace.toMillis());
    return open.size();
  }

  /** How many connections are open. */
  int size() {
    return open.size();
  }
}
