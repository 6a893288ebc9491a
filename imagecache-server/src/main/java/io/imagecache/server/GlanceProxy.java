package io.imagecache.server;

import io.imagecache.OriginConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Passes every Glance API call that imagecache does not answer itself through to the Glance
 * origin, unchanged: a streaming HTTP/1.1 reverse proxy for one upstream.
 *
 * <p>How the router drives it, on the inbound channel's event loop:
 * <pre>{@code
 * ProxyExchange exchange = proxy.start(ctx, request);  // when a proxied request's head arrives
 * exchange.content(content);                           // each following HttpContent, up to and
 *                                                      // including the LastHttpContent
 * exchange.completion().addListener(done -> ...);      // the connection is the router's again
 * }</pre>
 * The exchange owns every content handed to it (forwards or releases it). While the request body
 * streams it also owns the inbound channel's {@code autoRead}, and sets it back to {@code true}
 * once the body has been read. When the completion is done the whole response has been written
 * (or the exchange aborted and closed the connection); if the connection must not be reused the
 * exchange has closed it, so the router only forgets the exchange and waits for the next request.
 *
 * <p>Each request gets its own upstream connection (no pool), opened with a {@link Bootstrap} on
 * the inbound channel's own event loop with the matching channel type (epoll or NIO), pipeline
 * {@code [SslHandler,] HttpClientCodec, ProxyUpstreamHandler}. Bodies stream through both ways
 * without aggregation, with backpressure; see {@link ProxyExchange} for the life cycle and the
 * failure model (502 before the response started, a broken connection after), and
 * {@link ProxyHeaders} for what is rewritten ({@code Host}, hop-by-hop headers, the base path).
 */
final class GlanceProxy {
  /**
   * How long opening the upstream connection (not the TLS handshake) may take: the origin's
   * default connect timeout (the proxy does not follow {@code --origin-connect-timeout}).
   */
  static final Duration CONNECT_TIMEOUT = OriginConfig.DEFAULT_CONNECT_TIMEOUT;
  /** Body slices up to 64 KiB: fewer objects per GiB than the codec's 8 KiB default. */
  private static final int MAX_CHUNK_SIZE = 64 * 1024;
  private static final int MAX_HEADER_SIZE = 32 * 1024;

  private final String host;
  private final int port;
  /** The {@code Host} header the origin gets: host, and port unless the scheme's default. */
  private final String authority;
  /** Path prefix of the origin URI without a trailing slash; empty for none. */
  private final String basePath;
  private final Optional<SslContext> tls;
  private final ProxyConnector connector;

  /**
   * A proxy to {@code upstream}: {@code http://host:port/base}, {@code https://…}, or the same
   * with the {@code glance+} prefix of the ORIGIN option. HTTPS uses the JDK's trusted CAs and
   * checks the host name.
   */
  GlanceProxy(URI upstream) {
    this(upstream, OriginTls.SYSTEM);
  }

  /**
   * As {@link #GlanceProxy(URI)}, HTTPS trusting the CAs and presenting the client certificate of
   * {@code originTls}, as the cache's own requests to the origin do.
   */
  GlanceProxy(URI upstream, OriginTls originTls) {
    this(upstream, isTls(upstream) ? Optional.of(clientTls(originTls)) : Optional.empty(), null);
  }

  /** A proxy to an {@code https} (or {@code glance+https}) {@code upstream} using {@code tls}. */
  GlanceProxy(URI upstream, SslContext tls) {
    this(upstream, Optional.of(tls), null);
    if (!isTls(upstream)) {
      throw new IllegalArgumentException("a TLS context needs an https origin, got " + upstream);
    }
  }

  /** For handler tests: {@code connector} opens the upstream connection instead of a Bootstrap. */
  static GlanceProxy withConnector(URI upstream, Optional<SslContext> tls,
      ProxyConnector connector) {
    return new GlanceProxy(upstream, tls, Objects.requireNonNull(connector, "connector"));
  }

  /** {@code connector} null: a real {@link Bootstrap} on the inbound channel's event loop. */
  private GlanceProxy(URI upstream, Optional<SslContext> tls, ProxyConnector connector) {
    String scheme = scheme(upstream);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "Glance origin must be http, https, glance+http or glance+https, got " + upstream);
    }
    if (upstream.getHost() == null) {
      throw new IllegalArgumentException("Glance origin has no host: " + upstream);
    }
    if (scheme.equals("https") && tls.isEmpty()) {
      throw new IllegalArgumentException("https Glance origin needs a TLS context: " + upstream);
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    this.port = upstream.getPort() < 0 ? defaultPort : upstream.getPort();
    String bracketed = upstream.getHost();
    this.host = bracketed.startsWith("[")
        ? bracketed.substring(1, bracketed.length() - 1) : bracketed;
    this.authority = port == defaultPort ? bracketed : bracketed + ":" + port;
    String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    this.tls = scheme.equals("https") ? tls : Optional.empty();
    this.connector = connector == null ? this::bootstrap : connector;
  }

  /**
   * Starts relaying {@code request} (its head; a {@link FullHttpRequest}'s body is taken over too)
   * to the origin, sent to {@code target}: the request's target as the router normalised it. Call on the inbound channel's event loop, then feed the exchange the request's
   * contents and wait for its {@link ProxyExchange#completion() completion}.
   */
  ProxyExchange start(ChannelHandlerContext ctx, HttpRequest request, RequestTarget target) {
    ProxyExchange exchange = new ProxyExchange(ctx, request,
        ProxyHeaders.upstreamRequest(request, target, basePath, authority), authority);
    exchange.connect(connector, new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel channel) {
        tls.ifPresent(context -> channel.pipeline().addLast(sslHandler(context, channel)));
        channel.pipeline().addLast(new HttpClientCodec(new HttpDecoderConfig()
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setMaxHeaderSize(MAX_HEADER_SIZE), false, false),
            new ProxyUpstreamHandler(exchange));
      }
    });
    if (request instanceof FullHttpRequest whole) {
      exchange.content(new DefaultLastHttpContent(whole.content(), whole.trailingHeaders()));
    }
    return exchange;
  }

  private ChannelFuture bootstrap(Channel inbound, ChannelHandler pipeline) {
    return new Bootstrap()
        .group(inbound.eventLoop())
        .channel(inbound instanceof EpollSocketChannel
            ? Transport.EPOLL.clientChannel() : Transport.NIO.clientChannel())
        .option(ChannelOption.ALLOCATOR, inbound.alloc())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(pipeline)
        .connect(host, port);
  }

  private SslHandler sslHandler(SslContext context, Channel channel) {
    SslHandler handler = context.newHandler(channel.alloc(), host, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    return handler;
  }

  private static boolean isTls(URI upstream) {
    return scheme(upstream).equals("https");
  }

  /** The scheme without the {@code glance+} prefix, lower case; empty when there is none. */
  private static String scheme(URI upstream) {
    String scheme = upstream.getScheme() == null
        ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
    return scheme.startsWith("glance+") ? scheme.substring("glance+".length()) : scheme;
  }

  private static SslContext clientTls(OriginTls originTls) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient()
          .trustManager(originTls.trustManagerFactory())
          .endpointIdentificationAlgorithm("HTTPS");
      originTls.reloadingKeyManager().ifPresent(builder::keyManager);
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for the Glance origin", e);
    }
  }
}
