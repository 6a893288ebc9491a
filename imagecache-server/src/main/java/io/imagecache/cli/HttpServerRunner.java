package io.imagecache.cli;

import io.imagecache.ImageCache;
import io.imagecache.OriginConfig;
import io.imagecache.server.ImageCacheServer;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code imagecache serve}: opens the cache with its origin, starts the HTTP server and runs until
 * the process is asked to stop (SIGTERM, Ctrl-C), then closes both in order. Found by
 * {@link Main} through {@code META-INF/services}.
 */
public final class HttpServerRunner implements ServerRunner {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServerRunner.class);

  @Override
  public int run(ServeSettings settings) throws Exception {
    Optional<OriginConfig> origin = settings.origin().map(spec -> new OriginConfig(spec,
        settings.originTimeouts().connect(), settings.originTimeouts().firstByte(),
        settings.originTimeouts().idle(), settings.originToken()));
    ImageCache cache = ImageCache.open(settings.cache(), origin);
    ImageCacheServer server;
    try {
      server = ImageCacheServer.start(cache, settings.listen().socketAddress(),
          settings.adminToken().orElseThrow(), settings.blockingThreads());
    } catch (Exception | Error e) {
      cache.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      LOG.info("stopping");
      server.close();
      try {
        cache.close();
      } catch (Exception e) {
        LOG.warn("closing the cache failed: {}", e.toString());
      }
      stopped.countDown();
    }, "imagecache-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.awaitClose();
    stopped.await();
    return 0;
  }
}
