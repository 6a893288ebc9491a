package io.imagecache.cli;

import ch.qos.logback.classic.LoggerContext;
import io.imagecache.ImageCache;
import io.imagecache.OriginConfig;
import io.imagecache.keystone.KeystoneClient;
import io.imagecache.keystone.KeystoneOriginCredential;
import io.imagecache.keystone.KeystoneRoleCheck;
import io.imagecache.server.ImageCacheServer;
import io.imagecache.server.ListenerTls;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code imagecache serve}: opens the cache with its origin, starts the HTTP server, then the
 * cache's start-up work (reconciliation, size measurement; see
 * {@link ImageCache#startBackgroundWork()}), and runs until the process is asked to stop (SIGTERM,
 * Ctrl-C). Then it drains: stops accepting connections and lets the requests being answered
 * finish for up to the {@code shutdown-grace}, then closes the server and the cache, stops the
 * logging it set up (the access log's last lines are written) and returns 0 (see
 * {@link ProcessSignals}). Found by {@link Main} through {@code META-INF/services}.
 *
 * <p>With the system property {@value #EXIT_AFTER_START} set to {@code true} it stops as soon as
 * the server listens: a training run that loads every class a start needs, which the
 * {@code imagecache} launcher records into a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}) so that later starts map them instead of loading them.
 */
public final class HttpServerRunner implements ServerRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServerRunner.class);
  /** The system property that makes {@code serve} stop once it listens (a CDS training run). */
  public static final String EXIT_AFTER_START = "imagecache.exitAfterStart";

  private final boolean exitAfterStart;
  /** The logging this runner set up, stopped when {@link #run} ends; null when it set up none. */
  private volatile LoggerContext ownLogging;
  /** The logging settings this runner applied; with {@link #ownLogging}. */
  private volatile LogSettings ownLogSettings;

  /** The runner {@link Main} finds: stops at once when {@value #EXIT_AFTER_START} is set. */
  public HttpServerRunner() {
    this(Boolean.getBoolean(EXIT_AFTER_START));
  }

  /** A runner that serves until stopped, or stops as soon as it listens. */
  HttpServerRunner(boolean exitAfterStart) {
    this.exitAfterStart = exitAfterStart;
  }

  @Override
  public void configureLogging(LogSettings logs) throws IOException {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogSetup.apply(context, logs);
    ownLogSettings = logs;
    ownLogging = context;
  }

  @Override
  public int run(ServeSettings settings) throws Exception {
    try {
      return run(settings, Optional.empty());
    } finally {
      stopLogging();
    }
  }

  /** As {@link #run(ServeSettings)}; on SIGHUP the settings are read again and applied. */
  @Override
  public int run(ServeSettings settings, SettingsSource reread) throws Exception {
    try {
      return run(settings, Optional.of(reread));
    } finally {
      stopLogging();
    }
  }

  /**
   * Stops the logging this runner set up, last: the access log's queue is written out and its
   * file closed before the process exits (the queue's thread would die with the JVM).
   */
  private void stopLogging() {
    LoggerContext context = ownLogging;
    if (context != null) {
      LogSetup.stop(context);
    }
  }

  private int run(ServeSettings settings, Optional<SettingsSource> reread) throws Exception {
    Optional<KeystoneClient> keystone =
        settings.keystone().map(k -> new KeystoneClient(k.url()));
    Optional<OriginConfig.Credential> login = settings.keystone().flatMap(KeystoneSettings::originLogin)
        .map(way -> new KeystoneOriginCredential(keystone.orElseThrow(), way, Clock.systemUTC()));
    Optional<OriginConfig> origin = settings.origin().map(spec -> new OriginConfig(spec,
        settings.originTimeouts().connect(), settings.originTimeouts().firstByte(),
        settings.originTimeouts().idle(), settings.originToken())
        .withCredential(login)
        .withTls(settings.tls().origin().isSystem() ? Optional.empty()
            : Optional.of(settings.tls().origin().sslContext()))
        .withFetch(settings.originFetch().verify(), settings.originFetch().resumeAttempts())
        .withConnections(settings.originFetch().connections()));
    Optional<KeystoneRoleCheck> roleCheck = settings.keystone().map(k ->
        new KeystoneRoleCheck(keystone.orElseThrow(), k.adminRole(), Clock.systemUTC()));
    // Taken over before the server listens: a SIGTERM during the start stops it right after.
    AtomicReference<SettingsReload> reload = new AtomicReference<>();
    AtomicReference<ImageCacheServer> started = new AtomicReference<>();
    Optional<ProcessSignals> signals = exitAfterStart ? Optional.empty()
        : ProcessSignals.install(reread.map(source -> () -> {
          SettingsReload ready = reload.get();
          if (ready == null) {
            LOG.warn("SIGHUP during the start: ignored, nothing reloaded");
          } else {
            ready.reload();
            started.get().reloadTls();
          }
        }));
    SqliteNativeDirectory.prepare(settings.cache());
    // The start-up work that scans every file waits until the server listens (below).
    ImageCache cache = ImageCache.openDeferred(settings.cache(), origin);
    ImageCacheServer server;
    try {
      server = ImageCacheServer.builder(cache, settings.listen().socketAddress(),
              settings.adminToken().orElseThrow())
          .blockingThreads(settings.blockingThreads())
          .clientLimits(settings.clientLimits())
          .readyzOrigin(settings.readyzOrigin())
          .tls(listenerTls(settings))
          .originTls(settings.tls().origin())
          .keystone(roleCheck)
          .start();
    } catch (Exception | Error e) {
      cache.close();
      Optional<IOException> listening = ListenFailure.of(
          e instanceof ImageCacheServer.TlsListenException
              ? settings.tls().listen().orElseThrow() : settings.listen(), e);
      if (listening.isPresent()) {
        throw listening.get();
      }
      throw e;
    }
    if (exitAfterStart) {
      LOG.info("started; stopping at once ({}=true)", EXIT_AFTER_START);
      server.close();
      cache.close();
      return 0;
    }
    cache.startBackgroundWork();
    started.set(server);
    LoggerContext logging = ownLogging;
    reread.ifPresent(source -> reload.set(logging == null
        ? new SettingsReload(source, cache, settings)
        : new SettingsReload(source, cache, settings, Optional.of(ownLogSettings),
            Optional.of(level -> LogSetup.level(logging, level)))));
    if (signals.isEmpty()) {
      // No signal handling here: the JVM's shutdown hook stops the server, without a drain.
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("stopping");
        stop(server, cache);
        stopped.countDown();
      }, "imagecache-shutdown"));
      server.awaitClose();
      stopped.await();
      return 0;
    }
    signals.get().awaitStop();
    server.drain(settings.shutdownGrace());
    stop(server, cache);
    LOG.info("stopped");
    return 0;
  }

  private static Optional<ListenerTls> listenerTls(ServeSettings settings) {
    TlsSettings tls = settings.tls();
    return tls.listen().map(address -> new ListenerTls(address.socketAddress(),
        tls.certificate().orElseThrow(), tls.key().orElseThrow(), tls.clientCa()));
  }

  private static void stop(ImageCacheServer server, ImageCache cache) {
    server.close();
    try {
      cache.close();
    } catch (Exception e) {
      LOG.warn("closing the cache failed: {}", e.toString());
    }
  }
}
