package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cork around a file response, on real native-epoll connections on 127.0.0.1: on while the
 * response is written, off once its last write is done; never on a TLS connection or off epoll.
 */
class TcpCorkTest {
  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  /** The cork the server's handler saw before, while and after the response was written. */
  private final CompletableFuture<boolean[]> seen = new CompletableFuture<>();

  @BeforeEach
  void epoll() {
    assumeTrue(Epoll.isAvailable(), "native epoll");
    group = Transport.EPOLL.newGroup(1);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close().sync();
    }
    if (server != null) {
      server.close().sync();
    }
    if (group != null) {
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void aPlainConnectionIsCorkedUntilTheResponsesLastWriteIsDone() throws Exception {
    connect(Optional.empty());

    boolean[] cork = seen.get(5, TimeUnit.SECONDS);

    assertThat(cork[0]).as("before").isFalse();
    assertThat(cork[1]).as("while the response is written").isTrue();
    assertThat(cork[2]).as("after its last write").isFalse();
  }

  @Test
  void aTlsConnectionIsNeverCorked() throws Exception {
    SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
    try {
      connect(Optional.of(SslContextBuilder
          .forServer(certificate.certificate(), certificate.privateKey()).build()));

      boolean[] cork = seen.get(5, TimeUnit.SECONDS);

      assertThat(cork[1]).as("while the response is written").isFalse();
    } finally {
      certificate.delete();
    }
  }

  @Test
  void aConnectionOffEpollIsLeftAlone() {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

    TcpCork.on(channel.pipeline().firstContext()).until(channel.newSucceededFuture());

    assertThat(channel.isOpen()).isTrue();
    channel.finishAndReleaseAll();
  }

  /** A server whose handler answers each connection at once (behind TLS if given), and a client. */
  private void connect(Optional<SslContext> tls) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(Transport.EPOLL.serverChannel())
        .childHandler(new ChannelInitializer<EpollSocketChannel>() {
          @Override
          protected void initChannel(EpollSocketChannel channel) {
            tls.ifPresent(context -> channel.pipeline().addLast(context.newHandler(channel.alloc())));
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                respond(ctx, (EpollSocketChannel) ctx.channel(), tls.isPresent());
              }
            });
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    client = new Bootstrap().group(group).channel(Transport.EPOLL.clientChannel())
        .handler(new ChannelInboundHandlerAdapter())
        .connect(server.localAddress()).sync().channel();
  }

  /**
   * Corks, writes a few bytes as the response's last write and records the cork around it; over
   * TLS (whose write waits for a handshake this client never makes) only before and while.
   */
  private void respond(ChannelHandlerContext ctx, EpollSocketChannel channel, boolean tls) {
    boolean before = channel.config().isTcpCork();
    TcpCork.Corked corked = TcpCork.on(ctx);
    boolean during = channel.config().isTcpCork();
    if (tls) {
      seen.complete(new boolean[] {before, during, false});
      return;
    }
    ChannelFuture last = ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    corked.until(last);
    last.addListener(done -> seen.complete(
        new boolean[] {before, during, channel.config().isTcpCork()}));
  }
}
