package io.imagecache.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Native epoll where the platform has it, NIO otherwise: event loops and channel classes. */
enum Transport {
  EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class),
  NIO(NioServerSocketChannel.class, NioSocketChannel.class);

  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  private final Class<? extends ServerSocketChannel> serverChannel;
  private final Class<? extends SocketChannel> clientChannel;

  Transport(Class<? extends ServerSocketChannel> serverChannel,
      Class<? extends SocketChannel> clientChannel) {
    this.serverChannel = serverChannel;
    this.clientChannel = clientChannel;
  }

  /** Epoll when available; logs why not otherwise. */
  static Transport best() {
    if (Epoll.isAvailable()) {
      return EPOLL;
    }
    log.info("native epoll unavailable, using NIO: {}", Epoll.unavailabilityCause().toString());
    return NIO;
  }

  EventLoopGroup newGroup(int threads) {
    IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, factory);
  }

  Class<? extends ServerSocketChannel> serverChannel() {
    return serverChannel;
  }

  Class<? extends SocketChannel> clientChannel() {
    return clientChannel;
  }
}
