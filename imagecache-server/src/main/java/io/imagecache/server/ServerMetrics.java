package io.imagecache.server;

import io.imagecache.CacheStats;
import io.imagecache.Download;
import io.imagecache.FillFailureReason;
import io.imagecache.ImageCache;
import io.imagecache.PrefetchState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Prometheus metrics, all named {@code imagecache_…}: image requests by result and
 * body bytes by source (counted here, as responses are sent), and the cache's own sizes and
 * counters (read from {@link ImageCache#stats()} and the prefetch queue at each scrape).
 *
 * <p>Reading the cache's stats may block, so {@link #scrape()} runs on the blocking executor: it
 * takes one snapshot and the gauges and function counters then read that snapshot. Each
 * connection reaches this instance through the channel attribute {@link #KEY}.
 */
final class ServerMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
  /** Where each connection finds the metrics (set for every accepted channel). */
  static final AttributeKey<ServerMetrics> KEY =
      AttributeKey.valueOf(ServerMetrics.class, "metrics");
  /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How an image request was answered. */
  enum Result {
    HIT("hit"), FILL_JOIN("fill-join"), MISS("miss"), PASS_THROUGH("pass-through"),
    ERROR("error");

    private final String label;

    Result(String label) {
      this.label = label;
    }
  }

  /** Where the bytes of an image response came from. */
  enum Source {
    CACHE("cache"), FILL("fill"), ORIGIN("origin");

    private final String label;

    Source(String label) {
      this.label = label;
    }
  }

  /** What the gauges read: the cache's stats and the prefetch queue's length at one moment. */
  private record Snapshot(CacheStats stats, long queueLength) {}

  private final PrometheusMeterRegistry registry;
  private final ImageCache cache;
  private final Map<Result, Counter> requests = new EnumMap<>(Result.class);
  private final Map<Source, Counter> servedBytes = new EnumMap<>(Source.class);
  /** Replaced whole by each scrape before the registry reads it; read by any thread. */
  private volatile Snapshot latest = new Snapshot(
      new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0), 0);

  ServerMetrics(PrometheusMeterRegistry registry, ImageCache cache) {
    this.registry = registry;
    this.cache = cache;
    for (Result result : Result.values()) {
      requests.put(result, Counter.builder("imagecache.requests")
          .description("Image requests (GET) by how they were answered")
          .tag("result", result.label)
          .register(registry));
    }
    for (Source source : Source.values()) {
      servedBytes.put(source, Counter.builder("imagecache.served")
          .description("Image body bytes sent to clients, by where they came from")
          .baseUnit("bytes")
          .tag("source", source.label)
          .register(registry));
    }
    counter("imagecache.origin.fetches", null, "Fills that asked their origin for an image",
        s -> s.stats().originFetches());
    counter("imagecache.origin.read", "bytes", "Body bytes fills read from their origins",
        s -> s.stats().originBytesRead());
    counter("imagecache.fills.committed", null, "Fills that committed their image",
        s -> s.stats().fillsCommitted());
    for (FillFailureReason reason : FillFailureReason.values()) {
      FunctionCounter.builder("imagecache.fill.failures", this,
              metrics -> metrics.latest.stats().fillFailures(reason))
          .description("Fills that ended without caching their image, by reason")
          .tag("reason", reason.key())
          .register(registry);
    }
    counter("imagecache.evictions", null, "Images removed by prunes",
        s -> s.stats().evictions());
    counter("imagecache.evicted", "bytes", "Bytes removed by prunes",
        s -> s.stats().bytesEvicted());
    gauge("imagecache.cache.size", "bytes", "Bytes taken by committed images",
        s -> s.stats().cachedBytes());
    gauge("imagecache.cache.images", null, "Committed images in the cache",
        s -> s.stats().cachedImages());
    gauge("imagecache.cache.reserved", "bytes", "Bytes reserved by fills in progress",
        s -> s.stats().reservedBytes());
    gauge("imagecache.fills.in.progress", null, "Fills that have not ended yet",
        s -> s.stats().fillsInProgress());
    gauge("imagecache.fill.waiting.readers", null,
        "Readers waiting for bytes a fill has not written yet",
        s -> s.stats().waitingReaders());
    gauge("imagecache.queue.length", null,
        "Images the prefetch queue has yet to fetch (waiting, fetching or retrying)",
        Snapshot::queueLength);
  }

  // ---- the data path

  /**
   * Counts an image request answered with {@code download} and its body bytes until
   * {@code completion}. Called on the connection's event loop; HEAD requests are not counted.
   */
  static void imageServed(ChannelHandlerContext ctx, RequestInfo request, Download download,
      Future<?> completion) {
    Optional<ServerMetrics> metrics = of(ctx.channel());
    if (metrics.isPresent() && !request.isHead()) {
      metrics.get().served(ctx, download, completion);
    }
  }

  /** Counts an image request that failed before any body. HEAD requests are not counted. */
  static void imageFailed(ChannelHandlerContext ctx, RequestInfo request) {
    Optional<ServerMetrics> metrics = of(ctx.channel());
    if (metrics.isPresent() && !request.isHead()) {
      metrics.get().requests.get(Result.ERROR).increment();
    }
  }

  private void served(ChannelHandlerContext ctx, Download download, Future<?> completion) {
    Source source;
    if (download instanceof Download.Hit) {
      requests.get(Result.HIT).increment();
      source = Source.CACHE;
    } else if (download instanceof Download.Filling filling) {
      requests.get(filling.joined() ? Result.FILL_JOIN : Result.MISS).increment();
      source = Source.FILL;
    } else {
      requests.get(Result.PASS_THROUGH).increment();
      source = Source.ORIGIN;
    }
    ServedBytesCounter counter = ctx.pipeline().get(ServedBytesCounter.class);
    if (counter != null) {
      Counter target = servedBytes.get(source);
      counter.countInto(target);
      completion.addListener(done -> counter.stop(target));
    }
  }

  private static Optional<ServerMetrics> of(Channel channel) {
    return Optional.ofNullable(channel.attr(KEY).get());
  }

  // ---- scraping

  /**
   * Every metric in Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). Blocks while reading
   * the cache's stats; when they cannot be read, the previous values are reported.
   */
  String scrape() {
    try {
      long waiting = cache.prefetchStates().stream()
          .filter(state -> state.status() != PrefetchState.Status.FAILED)
          .count();
      latest = new Snapshot(cache.stats(), waiting);
    } catch (Exception e) {
      LOG.warn("reading the cache's stats for metrics failed; reporting the previous ones: {}",
          e.toString());
    }
    return registry.scrape();
  }

  private void counter(String name, String baseUnit, String description,
      ToDoubleFunction<Snapshot> value) {
    FunctionCounter.builder(name, this, metrics -> value.applyAsDouble(metrics.latest))
        .description(description)
        .baseUnit(baseUnit)
        .register(registry);
  }

  private void gauge(String name, String baseUnit, String description,
      ToDoubleFunction<Snapshot> value) {
    Gauge.builder(name, this, metrics -> value.applyAsDouble(metrics.latest))
        .strongReference(true)
        .description(description)
        .baseUnit(baseUnit)
        .register(registry);
  }
}
