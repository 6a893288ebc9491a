package io.imagecache.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.Durations;
import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.keystone.KeystoneRoleCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server in front of an {@link ImageCache}: images at {@code /v2/images/{id}/file}, the
 * cache API, versions, health and metrics, and (with a Glance origin) every other Glance path
 * passed through. Native epoll where available, NIO otherwise. Blocking calls into the cache run
 * on a bounded pool of their own, never on an event loop.
 */
public final class ImageCacheServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCacheServer.class);

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService blocking;
  private final Channel listener;
  private final ServerMetrics metrics;
  private final Connections connections;
  private final Optional<Channel> tlsListener;
  private final Optional<ServerTls> tls;

  private ImageCacheServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService blocking,
      Channel listener, ServerMetrics metrics, Connections connections,
      Optional<Channel> tlsListener, Optional<ServerTls> tls) {
    this.tlsListener = tlsListener;
    this.tls = tls;
    this.metrics = metrics;
    this.boss = boss;
    this.workers = workers;
    this.blocking = blocking;
    this.listener = listener;
    this.connections = connections;
  }

  /**
   * Starts serving {@code cache} on {@code listen} (port 0: any free port, see {@link #address})
   * with every other setting at its default. Management calls need {@code adminToken};
   * {@code blockingThreads} bound the calls into the cache that may block at once. The caller
   * still owns and closes the cache.
   */
  public static ImageCacheServer start(ImageCache cache, InetSocketAddress listen,
      String adminToken, int blockingThreads) throws InterruptedException {
    return builder(cache, listen, adminToken).blockingThreads(blockingThreads).start();
  }

  /** A server for {@code cache} on {@code listen} whose management calls need {@code adminToken}. */
  public static Builder builder(ImageCache cache, InetSocketAddress listen, String adminToken) {
    return new Builder(cache, listen, adminToken);
  }

  /** The settings of a server to start; each has the default of its serve option. */
  public static final class Builder {
    private final ImageCache cache;
    private final InetSocketAddress listen;
    private final String adminToken;
    private int blockingThreads = 16;
    private ClientLimits limits = ClientLimits.DEFAULT;
    private boolean readyzOrigin;
    private Optional<ListenerTls> tls = Optional.empty();
    private OriginTls originTls = OriginTls.SYSTEM;
    private Optional<KeystoneRoleCheck> keystone = Optional.empty();

    private Builder(ImageCache cache, InetSocketAddress listen, String adminToken) {
      this.cache = cache;
      this.listen = listen;
      this.adminToken = adminToken;
    }

    /** Bounds the calls into the cache that may block at once (default 16). */
    public Builder blockingThreads(int blockingThreads) {
      this.blockingThreads = blockingThreads;
      return this;
    }

    /** Holds clients to {@code limits}: timeouts, connections, header size. */
    public Builder clientLimits(ClientLimits limits) {
      this.limits = limits;
      return this;
    }

    /** Whether {@code /readyz} also asks the origin (default no). */
    public Builder readyzOrigin(boolean readyzOrigin) {
      this.readyzOrigin = readyzOrigin;
      return this;
    }

    /**
     * A TLS listener beside the plain one; its files are read at the start, and an unusable
     * certificate or key fails it with {@link IllegalArgumentException}.
     */
    public Builder tls(Optional<ListenerTls> tls) {
      this.tls = tls;
      return this;
    }

    /** How requests passed through to a Glance origin over HTTPS check and present certificates. */
    public Builder originTls(OriginTls originTls) {
      this.originTls = originTls;
      return this;
    }

    /**
     * With {@code keystone}, management calls also accept a user's Keystone token that carries
     * its role (the admin token keeps working).
     */
    public Builder keystone(Optional<KeystoneRoleCheck> keystone) {
      this.keystone = keystone;
      return this;
    }

    /** Binds the listeners and starts serving. */
    public ImageCacheServer start() throws InterruptedException {
      return ImageCacheServer.start(this);
    }
  }

  private static ImageCacheServer start(Builder settings) throws InterruptedException {
    ImageCache cache = settings.cache;
    Optional<ServerTls> serverTls = settings.tls.map(ServerTls::new);
    Transport transport = Transport.best();
    EventLoopGroup boss = transport.newGroup(1);
    EventLoopGroup workers = transport.newGroup(Runtime.getRuntime().availableProcessors());
    ExecutorService blocking =
        Executors.newFixedThreadPool(settings.blockingThreads, daemonThreads());
    Readiness readiness = Readiness.of(cache, blocking, settings.readyzOrigin);
    ServerMetrics metrics = new ServerMetrics(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), cache, readiness);
    try {
      ServerContext context = new ServerContext(cache, blocking, new ObjectMapper(),
          new AdminAuth(settings.adminToken, settings.keystone),
          cache.originApi().map(uri -> new GlanceProxy(uri, settings.originTls)),
          new FleetAuth(cache.config().fleet().map(CacheConfig.Fleet::token)),
          new PeerUploads(cache.config().fleet().map(CacheConfig.Fleet::peerUploads)
              .orElse(CacheConfig.Fleet.DEFAULT_PEER_UPLOADS)));
      RouteTable routes = RouteTable.of(List.of(
          new CacheApiRoutes(context), new MetricsRoutes(context, metrics),
          new ReadinessRoutes(context, readiness)));
      Connections connections = new Connections(settings.limits.maxConnections());
      Channel listener = bootstrap(boss, workers, transport, metrics, connections)
          .childHandler(new ServerInitializer(context, routes, settings.limits, Optional.empty()))
          .bind(settings.listen).sync().channel();
      Optional<Channel> tlsListener = Optional.empty();
      if (serverTls.isPresent()) {
        try {
          tlsListener = Optional.of(bootstrap(boss, workers, transport, metrics, connections)
              .childOption(ChannelOption.ALLOCATOR, TlsBuffers.allocator())
              .childHandler(new ServerInitializer(context, routes, settings.limits, serverTls))
              .bind(settings.tls.get().address()).sync().channel());
        } catch (InterruptedException | RuntimeException e) {
          listener.close();
          throw e;
        } catch (Exception e) {
          // Netty rethrows the bind failure unchecked, without the address: say which listener.
          listener.close();
          throw new TlsListenException(e);
        }
      }
      LOG.info("serving {} on http://{} ({})", cache.config().dir(),
          format((InetSocketAddress) listener.localAddress()), transport.name().toLowerCase());
      tlsListener.ifPresent(channel -> LOG.info("serving {} on https://{} (TLS by {})",
          cache.config().dir(), format((InetSocketAddress) channel.localAddress()),
          serverTls.get().providerName()));
      return new ImageCacheServer(boss, workers, blocking, listener, metrics, connections,
          tlsListener, serverTls);
    } catch (InterruptedException | RuntimeException e) {
      serverTls.ifPresent(ServerTls::close);
      shutdown(boss, workers, blocking);
      metrics.close();
      throw e;
    }
  }

  private static ServerBootstrap bootstrap(EventLoopGroup boss, EventLoopGroup workers,
      Transport transport, ServerMetrics metrics, Connections connections) {
    return new ServerBootstrap()
        .group(boss, workers)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childAttr(ServerMetrics.KEY, metrics)
        .childAttr(Connections.KEY, connections);
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** Client connections admitted (within {@code max-connections}) that are still open. */
  int openConnections() {
    return connections.admitted();
  }

  /** The address the TLS listener listens on, when there is one. */
  public Optional<InetSocketAddress> tlsAddress() {
    return tlsListener.map(channel -> (InetSocketAddress) channel.localAddress());
  }

  /**
   * Reads the TLS listener's certificate and key again (SIGHUP) for new connections; files that do
   * not load keep the running ones, with one log line. Nothing without a TLS listener.
   */
  public void reloadTls() {
    tls.ifPresent(ServerTls::reload);
  }

  /** Waits until the server has been closed. */
  public void awaitClose() throws InterruptedException {
    listener.closeFuture().sync();
  }

  /**
   * Stops accepting connections (a new one is refused), closes the idle ones, lets each request
   * being answered finish, and waits up to {@code grace} for that. Call {@link #close} after it.
   *
   * @return how many connections were still answering a request when {@code grace} ran out
   */
  public int drain(Duration grace) throws InterruptedException {
    listener.close().sync();
    if (tlsListener.isPresent()) {
      tlsListener.get().close().sync();
    }
    int busy = connections.size();
    LOG.info("stopped accepting connections; waiting up to {} for {} open connection(s) to finish"
        + " their requests", Durations.format(grace), busy);
    int left = connections.drain(grace);
    if (left > 0) {
      LOG.warn("{} connection(s) still answering a request after {}: closing them", left,
          Durations.format(grace));
    }
    return left;
  }

  /** Stops listening, closes connections and stops the server's threads. Idempotent. */
  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    tlsListener.ifPresent(channel -> channel.close().syncUninterruptibly());
    tls.ifPresent(ServerTls::close);
    shutdown(boss, workers, blocking);
    metrics.close();
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, ExecutorService blocking) {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    blocking.shutdownNow();
    boss.terminationFuture().syncUninterruptibly();
    workers.terminationFuture().syncUninterruptibly();
  }

  private static String format(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "imagecache-blocking-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }


  /** The TLS listener could not bind (its address is the TLS one); the cause says why. */
  public static final class TlsListenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TlsListenException(Throwable cause) {
      super("cannot listen on the TLS address: " + cause.getMessage(), cause);
    }
  }
}
