package io.imagecache.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.Durations;
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

  private ImageCacheServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService blocking,
      Channel listener, ServerMetrics metrics, Connections connections) {
    this.metrics = metrics;
    this.boss = boss;
    this.workers = workers;
    this.blocking = blocking;
    this.listener = listener;
    this.connections = connections;
  }

  /**
   * Starts serving {@code cache} on {@code listen} (port 0: any free port, see {@link #address}).
   * Management calls need {@code adminToken}; {@code blockingThreads} bound the calls into the
   * cache that may block at once. The caller still owns and closes the cache.
   */
  public static ImageCacheServer start(ImageCache cache, InetSocketAddress listen,
      String adminToken, int blockingThreads) throws InterruptedException {
    return start(cache, listen, adminToken, Optional.empty(), blockingThreads);
  }

  /**
   * As {@link #start(ImageCache, InetSocketAddress, String, int)}; with {@code keystone},
   * management calls also accept a user's Keystone token that carries its role.
   */
  public static ImageCacheServer start(ImageCache cache, InetSocketAddress listen,
      String adminToken, Optional<KeystoneRoleCheck> keystone, int blockingThreads)
      throws InterruptedException {
    Transport transport = Transport.best();
    EventLoopGroup boss = transport.newGroup(1);
    EventLoopGroup workers = transport.newGroup(Runtime.getRuntime().availableProcessors());
    ExecutorService blocking = Executors.newFixedThreadPool(blockingThreads, daemonThreads());
    Readiness readiness = Readiness.of(cache, blocking);
    ServerMetrics metrics = new ServerMetrics(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), cache, readiness);
    try {
      ServerContext context = new ServerContext(cache, blocking, new ObjectMapper(), new AdminAuth(adminToken, keystone),
          cache.originApi().map(GlanceProxy::new));
      RouteTable routes = RouteTable.of(List.of(
          new CacheApiRoutes(context), new MetricsRoutes(context, metrics),
          new ReadinessRoutes(context, readiness)));
      Connections connections = new Connections();
      Channel listener = new ServerBootstrap()
          .group(boss, workers)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childAttr(ServerMetrics.KEY, metrics)
          .childAttr(Connections.KEY, connections)
          .childHandler(new ServerInitializer(context, routes))
          .bind(listen).sync().channel();
      LOG.info("serving {} on http://{} ({})", cache.config().dir(),
          format((InetSocketAddress) listener.localAddress()), transport.name().toLowerCase());
      return new ImageCacheServer(boss, workers, blocking, listener, metrics, connections);
    } catch (InterruptedException | RuntimeException e) {
      shutdown(boss, workers, blocking);
      metrics.close();
      throw e;
    }
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
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

}
