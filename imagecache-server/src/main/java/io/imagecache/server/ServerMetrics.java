package io.imagecache.server;

import io.imagecache.CacheStats;
import io.imagecache.Download;
import io.imagecache.FillFailureReason;
import io.imagecache.FillProgress;
import io.imagecache.ImageCache;
import io.imagecache.PrefetchState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Prometheus metrics. Its own, named {@code imagecache_…}: image requests by result,
 * their time to first byte and body bytes by source (counted here, as responses are sent), the
 * duration and rate of every fill (told by the cache, also for prefetches), the build, and the cache's own sizes and counters
 * (read from {@link ImageCache#stats()} and the prefetch queue at each scrape). Besides them,
 * Micrometer's JVM and process meters ({@code jvm_…}, {@code process_…}, {@code system_…}) and
 * Netty's allocator ({@code netty_allocator_…}).
 *
 * <p>Reading the cache's stats may block, so {@link #scrape} runs on the blocking executor: it
 * takes one snapshot and the gauges and function counters then read that snapshot. Each
 * connection reaches this instance through the channel attribute {@link #KEY}.
 */
final class ServerMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);
  /** Where each connection finds the metrics (set for every accepted channel). */
  static final AttributeKey<ServerMetrics> KEY =
      AttributeKey.valueOf(ServerMetrics.class, "metrics");
  /** Prometheus text format 0.0.4: what {@link #scrape} answers unless OpenMetrics is asked for. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** OpenMetrics 1.0.0 text, for a scrape whose {@code Accept} names it. */
  static final String OPENMETRICS_CONTENT_TYPE =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  /** How an image request was answered. */
  enum Result {
    HIT("hit"), FILL_JOIN("fill-join"), MISS("miss"), PASS_THROUGH("pass-through"),
    /** The origin refused the caller (401, 403): the client's business, not a fault here. */
    DENIED("denied"),
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

  /** Time to first byte: a hit's head goes out in a millisecond, a miss's after the origin's. */
  private static final Duration[] FIRST_BYTE_BUCKETS = seconds(
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  /** Fill durations: images from a few MB to tens of GB. */
  private static final Duration[] FILL_BUCKETS = seconds(
      0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600);
  /** Fill rates, bytes per second: 1 MB/s to 1 GB/s. */
  private static final double[] THROUGHPUT_BUCKETS = {
      1e6, 5e6, 1e7, 2.5e7, 5e7, 1e8, 2.5e8, 5e8, 1e9};

  /** What the gauges read: the cache's stats and the prefetch queue's length at one moment. */
  private record Snapshot(CacheStats stats, long queueLength) {}

  private final PrometheusMeterRegistry registry;
  private final ImageCache cache;
  private final Readiness readiness;
  /** The readiness checks at the last scrape; replaced whole by each scrape. */
  private volatile Map<String, ReadinessCheck.Result> readinessChecks = Map.of();
  private final Map<Result, Counter> requests = new EnumMap<>(Result.class);
  private final Map<Source, Counter> servedBytes = new EnumMap<>(Source.class);
  private final Map<Result, Timer> firstByte = new EnumMap<>(Result.class);
  private final Map<String, Counter> connectionsClosed = new java.util.HashMap<>();
  private final Counter connectionsRefused;
  private final Timer fillCommitted;
  private final Timer fillFailed;
  private final DistributionSummary fillThroughput;
  /** Closed with the server: it listens to the JVM's GC notifications. */
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  /** Replaced whole by each scrape before the registry reads it; read by any thread. */
  private volatile Snapshot latest = new Snapshot(
      new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0), 0);

  ServerMetrics(PrometheusMeterRegistry registry, ImageCache cache, Readiness readiness) {
    this.registry = registry;
    this.cache = cache;
    this.readiness = readiness;
    // Filters first: Micrometer applies a filter only to meters registered after it.
    configureFilters();
    for (String check : readiness.names()) {
      Gauge.builder("imagecache.ready", this, metrics -> {
        ReadinessCheck.Result result = metrics.readinessChecks.get(check);
        return result != null && result.ok() ? 1 : 0;
      })
          .description("1 when the readiness check passed at this scrape (as /readyz), else 0")
          .tag("check", check)
          .register(registry);
    }
    for (Result result : Result.values()) {
      requests.put(result, Counter.builder("imagecache.requests")
          .description("Image requests (GET) by how they were answered")
          .tag("result", result.label)
          .register(registry));
      firstByte.put(result, Timer.builder("imagecache.time.to.first.byte")
          .description("Time from an image request (GET) to its response head being written,"
              + " by how it was answered")
          .tag("result", result.label)
          .serviceLevelObjectives(FIRST_BYTE_BUCKETS)
          .register(registry));
    }
    for (String reason : new String[] {ClientTimeouts.Reason.HEADER_TIMEOUT.label,
        ClientTimeouts.Reason.IDLE_TIMEOUT.label, WriteStallGuard.REASON}) {
      connectionsClosed.put(reason, Counter.builder("imagecache.connections.closed")
          .description("Client connections the server closed because a client limit ran out:"
              + " head too slow, idle too long, or a response the client stopped reading")
          .tag("reason", reason)
          .register(registry));
    }
    connectionsRefused = Counter.builder("imagecache.connections.refused")
        .description("Client connections answered 503 because max-connections were open")
        .tag("reason", "max-connections")
        .register(registry);
    fillCommitted = fillTimer("committed");
    fillFailed = fillTimer("failed");
    fillThroughput = DistributionSummary.builder("imagecache.fill.throughput")
        .description("Origin bytes per second of fills that committed (image requests' and"
            + " prefetches')")
        .baseUnit("bytes.per.second")
        .serviceLevelObjectives(THROUGHPUT_BUCKETS)
        .register(registry);
    BuildInfo build = BuildInfo.current();
    Gauge.builder("imagecache.build.info", () -> 1)
        .description("Always 1: the version and commit this server was built from")
        .tag("version", build.version())
        .tag("commit", build.commit())
        .strongReference(true)
        .register(registry);
    bindJvmAndProcess();
    cache.observeFillEnds(this::fillEnded);
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
    counter("imagecache.peer.read", "bytes",
        "Body bytes fills read from peers of the fleet instead of the origin",
        s -> s.stats().peerBytesRead());
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
    Gauge.builder("imagecache.cache.max", cache, c -> c.config().maxSize())
        .description("Bytes the committed images may take (max-size; a SIGHUP may change it)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("imagecache.cache.high.water", cache,
            c -> c.config().maxSize() * c.config().highWater())
        .description("Cache size above which an automatic prune starts (max-size x high-water)")
        .baseUnit("bytes")
        .register(registry);
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

  private Timer fillTimer(String outcome) {
    return Timer.builder("imagecache.fill.duration")
        .description("Time from a fill's start (by an image request or a prefetch) to its end,"
            + " by outcome")
        .tag("outcome", outcome)
        .serviceLevelObjectives(FILL_BUCKETS)
        .register(registry);
  }

  /**
   * What the JVM, process and Netty meters are given: two of Micrometer's meters are left out
   * because {@code promtool check metrics} rejects their names
   * ({@code process_cpu_time_ns_total}: an abbreviated unit; {@code system_cpu_count}: a
   * {@code _count} that is not a histogram's); Netty's, which have none, get a help text.
   */
  private void configureFilters() {
    registry.config()
        .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
            || id.getName().equals("system.cpu.count")))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            if (id.getName().startsWith("netty.allocator.") && id.getDescription() == null) {
              return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()),
                  id.getBaseUnit(), "Netty's buffer allocator: "
                      + id.getName().substring("netty.allocator.".length()).replace('.', ' '),
                  id.getType());
            }
            return id;
          }
        });
  }

  /** Micrometer's JVM and process binders, and Netty's allocator when it reports its memory. */
  private void bindJvmAndProcess() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
      new NettyAllocatorMetrics(allocator).bindTo(registry);
    }
  }

  /** Stops listening to the JVM's GC notifications and to the cache's fills. */
  @Override
  public void close() {
    gcMetrics.close();
    cache.observeFillEnds((last, took) -> {});
  }

  // ---- the data path

  /** Counts a connection closed by a client limit; {@code reason} as {@link ClientTimeouts}. */
  void connectionClosed(String reason) {
    Counter counter = connectionsClosed.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  /** Counts a connection refused beyond {@code max-connections}. */
  void connectionRefused() {
    connectionsRefused.increment();
  }

  /**
   * Counts an image request received at {@code startNanos} ({@link System#nanoTime()}) and
   * answered with {@code download}: its time to first byte, its body bytes until
   * {@code completion} (fills are timed when they end, see {@link #fillEnded}). Called on the
   * connection's event loop; HEAD requests are not counted.
   */
  static void imageServed(ChannelHandlerContext ctx, RequestInfo request, long startNanos,
      Download download, Future<?> completion) {
    Optional<ServerMetrics> metrics = of(ctx.channel());
    if (metrics.isPresent() && !request.isHead()) {
      metrics.get().served(ctx, startNanos, download, completion);
    }
  }

  /**
   * Counts an image request received at {@code startNanos} that failed before any body, as
   * {@code denied} when the origin refused the caller (401, 403), else as {@code error}; its
   * response head is about to be sent. HEAD requests are not counted.
   */
  static void imageFailed(ChannelHandlerContext ctx, RequestInfo request, long startNanos,
      HttpResponseStatus status) {
    Optional<ServerMetrics> metrics = of(ctx.channel());
    if (metrics.isPresent() && !request.isHead()) {
      Result result = status.equals(HttpResponseStatus.UNAUTHORIZED)
          || status.equals(HttpResponseStatus.FORBIDDEN) ? Result.DENIED : Result.ERROR;
      metrics.get().requests.get(result).increment();
      metrics.get().firstByte.get(result).record(System.nanoTime() - startNanos,
          TimeUnit.NANOSECONDS);
    }
  }

  private void served(ChannelHandlerContext ctx, long startNanos, Download download,
      Future<?> completion) {
    Result result;
    Source source;
    if (download instanceof Download.Hit) {
      result = Result.HIT;
      source = Source.CACHE;
    } else if (download instanceof Download.Filling filling) {
      result = filling.joined() ? Result.FILL_JOIN : Result.MISS;
      source = Source.FILL;
    } else {
      result = Result.PASS_THROUGH;
      source = Source.ORIGIN;
    }
    requests.get(result).increment();
    ServedBytesCounter counter = ctx.pipeline().get(ServedBytesCounter.class);
    if (counter != null) {
      Counter target = servedBytes.get(source);
      Timer timer = firstByte.get(result);
      counter.countInto(target,
          () -> timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS));
      completion.addListener(done -> counter.stop(target));
    }
  }

  /**
   * Records the duration (and, when it committed, the rate) of a fill, whoever started it: an
   * image request or a prefetch worker. Called on the fill's thread.
   */
  private void fillEnded(FillProgress last, Duration took) {
    long nanos = took.toNanos();
    if (last.state() != FillProgress.State.COMMITTED) {
      fillFailed.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    fillCommitted.record(nanos, TimeUnit.NANOSECONDS);
    if (nanos > 0) {
      fillThroughput.record(last.bytesWritten() * 1e9 / nanos);
    }
  }

  private static Optional<ServerMetrics> of(Channel channel) {
    return Optional.ofNullable(channel.attr(KEY).get());
  }

  // ---- scraping

  /**
   * The content type to answer a scrape with: OpenMetrics when its {@code Accept} header names
   * {@code application/openmetrics-text} (as Prometheus does), else text format 0.0.4.
   */
  static String contentType(Optional<String> accept) {
    return accept.filter(value -> value.contains("application/openmetrics-text")).isPresent()
        ? OPENMETRICS_CONTENT_TYPE
        : CONTENT_TYPE;
  }

  /**
   * Every metric in {@code contentType}, one of {@link #contentType}'s answers. Blocks while
   * reading the cache's stats (when they cannot be read, the previous values are reported) and
   * while the readiness checks run (each bounded by {@link Readiness#TIMEOUT}).
   */
  String scrape(String contentType) {
    try {
      long waiting = cache.prefetchStates().stream()
          .filter(state -> state.status() != PrefetchState.Status.FAILED)
          .count();
      latest = new Snapshot(cache.stats(), waiting);
    } catch (Exception e) {
      LOG.warn("reading the cache's stats for metrics failed; reporting the previous ones: {}",
          e.toString());
    }
    // Never fails; each check is bounded by its timeout.
    readinessChecks = readiness.check().join().checks();
    return registry.scrape(contentType);
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return durations;
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
