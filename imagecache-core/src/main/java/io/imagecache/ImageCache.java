package io.imagecache;

import io.imagecache.internal.CacheRuntime;
import io.imagecache.internal.DaemonThreads;
import io.imagecache.internal.fill.DownloadPlanner;
import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.FillRegistry;
import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.maintenance.PrefetchPolicy;
import io.imagecache.internal.maintenance.Prefetcher;
import io.imagecache.internal.maintenance.Pruner;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.Origins;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheReader;
import io.imagecache.internal.store.RecoveryReport;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image cache over one directory: Glance's image-cache operations, single-flight fills,
 * prune and clean. The one door through which a server reaches the cache.
 *
 * <p>{@link #open} locks the directory ({@code <dir>/imagecache.lock}, so two caches never share
 * one), opens the configured driver, removes incomplete files left by a crash, reconciles files
 * and metadata in the background while it already serves, hands images still queued for
 * prefetch to the prefetch workers, and writes hits to the metadata store every
 * {@link CacheConfig#flushInterval()} (the runtime {@link CacheRuntime} does this work; this class
 * is the API and its delegations). It keeps the committed images within the max size by
 * itself (space reserved before each fill, refused fills streamed through, a prune from the
 * high-water to the low-water mark after each commit and every
 * {@link CacheConfig#pruneInterval()}) and cleans every {@link CacheConfig#cleanInterval()}.
 * Thread-safe.
 */
public final class ImageCache implements Closeable {
  /** Owns every running part of this cache; thread-safe. */
  private final CacheRuntime runtime;
  /** The runtime's store, asked by most operations; thread-safe by its contract. */
  private final CacheDriver driver;

  /**
   * Opens the cache {@code config} describes, with the system clock, a daemon thread for the hit
   * flush and a daemon thread pool for fills.
   *
   * @throws CacheDirectoryLockedException when another cache has the directory open
   * @throws BadCacheConfigurationException when the driver cannot use the directory or store
   * @throws IOException when the directory cannot be read or its crash leftovers removed
   */
  public static ImageCache open(CacheConfig config) throws IOException {
    return open(config, Optional.empty());
  }

  /**
   * Opens the cache {@code config} describes, fetching misses from {@code origin} (none: a miss is
   * answered with {@link ImageNotFoundException}). Otherwise as {@link #open(CacheConfig)}.
   *
   * @throws IllegalArgumentException when the origin's spec is not one of the known forms
   */
  public static ImageCache open(CacheConfig config, Optional<OriginConfig> origin)
      throws IOException {
    ImageCache cache = openDeferred(config, origin);
    cache.startBackgroundWork();
    return cache;
  }

  /**
   * Opens the cache as {@link #open(CacheConfig, Optional)} does, but leaves the start-up work
   * that scans every file (reconciling files and metadata, measuring the cache's size) until
   * {@link #startBackgroundWork()}, so that a server can start listening first instead of sharing
   * the CPU with it. Hits, fills and every operation work before that; the caller must call
   * {@link #startBackgroundWork()} once it is ready.
   */
  public static ImageCache openDeferred(CacheConfig config, Optional<OriginConfig> origin)
      throws IOException {
    return new ImageCache(CacheRuntime.open(config, origin));
  }

  /** A cache on injected time and threads, which the caller owns and shuts down (for tests). */
  ImageCache(
      CacheConfig config, Clock clock, ScheduledExecutorService scheduler, Executor fillExecutor)
      throws IOException {
    this(new CacheRuntime(config, clock, scheduler, fillExecutor));
  }

  /** A cache fetching misses from {@code origin}, on injected time and threads (for tests). */
  ImageCache(CacheConfig config, Optional<Origin> origin, Clock clock,
      ScheduledExecutorService scheduler, Executor fillExecutor) throws IOException {
    this(new CacheRuntime(config, origin, clock, scheduler, fillExecutor));
  }

  private ImageCache(CacheRuntime runtime) {
    this.runtime = runtime;
    this.driver = runtime.driver();
  }

  /** The configuration this cache was opened with, with the size bound in force now. */
  public CacheConfig config() {
    return runtime.config();
  }

  /**
   * Takes the size bound of {@code config} (max size, high- and low-water marks) and its number
   * of prefetch workers from now on, e.g. on a reload of the settings, and prunes soon if the
   * cache is now above the high-water mark. Fills already admitted keep their room; surplus
   * prefetch workers stop after their current image.
   *
   * @throws IllegalArgumentException if {@code config} differs from {@link #config()} in
   *     anything else, which only a restart can change
   */
  public void reconfigure(CacheConfig config) {
    runtime.resize(config);
  }

  // ---- Glance's driver operations ------------------------------------------------------------

  /** Whether the image is committed in the cache. */
  public boolean isCached(ImageId id) {
    runtime.requireOpen();
    return driver.isCached(id);
  }

  /** Whether the image is queued for prefetch. */
  public boolean isQueued(ImageId id) {
    runtime.requireOpen();
    return driver.isQueued(id);
  }

  /** Whether the image is being written right now (an incomplete file exists). */
  public boolean isBeingCached(ImageId id) {
    runtime.requireOpen();
    return driver.isBeingCached(id);
  }

  /** Neither cached nor being cached. */
  public boolean isCacheable(ImageId id) {
    runtime.requireOpen();
    return driver.isCacheable(id);
  }

  /** Bytes taken by committed images. */
  public long cacheSize() throws IOException {
    runtime.requireOpen();
    return driver.cacheSize();
  }

  /** Every committed image, ordered by id. */
  public List<CachedImage> cachedImages() throws IOException {
    runtime.requireOpen();
    return driver.cachedImages();
  }

  /** One committed image's metadata, if it is cached. */
  public Optional<CachedImage> cachedImage(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.cachedImage(id);
  }

  /** Hits of a cached image, those not yet written to the store included; 0 when not cached. */
  public long hitCount(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.hitCount(id);
  }

  /**
   * Removes the committed image and its metadata, after cancelling a live fill of it (so the fill
   * cannot bring it back). Returns whether a committed file was removed.
   */
  public boolean delete(ImageId id) throws IOException {
    return runtime.delete(id);
  }

  /**
   * Removes the image here as {@link #deleteQueued} and {@link #delete} do, and on every other
   * node of the fleet (driver postgres): nodes that listen delete it within seconds, nodes that
   * are down when they next start. Returns whether a committed file was removed here.
   *
   * @throws IllegalStateException when the driver is not postgres
   * @throws CacheStoreException when the database does not answer (deleted here only)
   */
  public boolean deleteFleetWide(ImageId id) throws IOException {
    if (config().driver() != DriverKind.POSTGRES) {
      throw new IllegalStateException("a fleet-wide delete needs driver postgres, not "
          + config().driver().configName());
    }
    deleteQueued(id);
    boolean removed = delete(id);
    runtime.publishFleetDelete(id);
    return removed;
  }

  /** Cancels every live fill and removes every committed image; returns how many were removed. */
  public int deleteAll() throws IOException {
    runtime.requireOpen();
    runtime.fills().cancelAll(DownloadPlanner.DELETED_WHILE_FILLED, CacheRuntime.CANCEL_WAIT);
    return driver.deleteAll();
  }

  /**
   * Writes the queue marker only (Glance's {@code queue_image}); false when the image is cached,
   * being cached or queued already. {@link #prefetch} also has it fetched.
   */
  public boolean queue(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.queue(id);
  }

  /** Queued ids, oldest first. */
  public List<ImageId> queuedImages() throws IOException {
    runtime.requireOpen();
    return driver.queuedImages();
  }

  /**
   * Removes the image from the queue and forgets its prefetch (a failed one too); returns whether
   * it was queued or known to the prefetch queue. A fetch in progress is not stopped (clients may
   * share its fill) and may still cache the image.
   */
  public boolean deleteQueued(ImageId id) throws IOException {
    runtime.requireOpen();
    boolean known = runtime.prefetcher().forget(id);
    return driver.deleteQueued(id) || known;
  }

  /**
   * Empties the queue as {@link #deleteQueued} does each id; returns how many markers were
   * removed.
   */
  public int deleteAllQueued() throws IOException {
    runtime.requireOpen();
    runtime.prefetcher().forgetAll();
    return driver.deleteAllQueued();
  }

  /**
   * Glance's {@code PUT /v2/cache/{id}}: asks the origin with the caller's {@code token} whether
   * the caller may see the image and whether it is active, writes the queue marker and has the
   * image fetched by the prefetch workers soon, retried with back-off when it fails (see
   * {@link #prefetchStates()}). Unlike Glance, a cached image is accepted and not fetched again,
   * and a fill in progress is joined, not repeated. Without an origin only a cached image is
   * accepted.
   *
   * @throws ImageNotFoundException when the origin does not have it for this caller (without an
   *     origin: when it is not cached)
   * @throws ImageNotActiveException when the origin's image is not active
   * @throws OriginAccessDeniedException when the origin refuses the caller
   * @throws OriginUnavailableException when the origin cannot be asked
   */
  public void prefetch(ImageId id, Optional<String> token) throws IOException {
    runtime.requireOpen();
    runtime.prefetcher().prefetch(id, token);
  }

  /** Every image the prefetch queue knows (waiting, fetching, retrying or failed), oldest first. */
  public List<PrefetchState> prefetchStates() {
    runtime.requireOpen();
    return runtime.prefetcher().states();
  }

  /** Whether {@link #cachedNodes} can answer (the postgres driver). */
  public boolean tracksNodes() {
    runtime.requireOpen();
    return driver.tracksNodes();
  }

  /**
   * The URLs of the nodes of the fleet that hold the image.
   *
   * @throws UnsupportedOperationException when {@link #tracksNodes()} is false
   */
  public List<String> cachedNodes(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.cachedNodes(id);
  }

  /** Pins the image so that prune never removes it; false when it was pinned. */
  public boolean pin(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.pin(id);
  }

  /** Unpins the image; false when it was not pinned. */
  public boolean unpin(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.unpin(id);
  }

  /** Whether the image is pinned. */
  public boolean isPinned(ImageId id) {
    runtime.requireOpen();
    return driver.isPinned(id);
  }

  /** Every pinned id, ordered. */
  public List<ImageId> pinnedImages() throws IOException {
    runtime.requireOpen();
    return driver.pinnedImages();
  }

  // ---- reads and fills -----------------------------------------------------------------------

  /**
   * Answers a request for the image's bytes by {@code token}'s holder: the committed file (a
   * hit), the live fill joined or a new fill started, or the origin's bytes streamed through when
   * the image may not be cached. With an origin that decides who reads what (Glance), the caller
   * is authorized first, also for hits. Blocking.
   *
   * @throws ImageNotFoundException when neither the cache nor the origin has it for this caller
   * @throws OriginAccessDeniedException when the origin refuses the caller
   * @throws ImageNotActiveException when the origin's image is not active
   * @throws OriginUnavailableException when the origin cannot be asked
   */
  public Download download(ImageId id, Optional<String> token) throws IOException {
    runtime.requireOpen();
    return runtime.downloads().download(id, token);
  }

  /**
   * {@link #download} without holding a thread while the origin prepares its answer: blocking
   * steps run on {@code executor}; the future fails with the same exceptions.
   */
  public CompletableFuture<Download> download(
      ImageId id, Optional<String> token, Executor executor) {
    runtime.requireOpen();
    return runtime.downloads().download(id, token, executor);
  }

  /**
   * A hit answered without blocking and without a system call, so an event loop may ask: when the
   * caller's access needs no origin request (no origin that authorizes readers, or its yes is
   * remembered) and the driver holds the image's file open from an earlier read. Empty means
   * "ask {@link #download}", not "not cached". Counts a hit.
   */
  public Optional<Download> downloadWithoutBlocking(ImageId id, Optional<String> token) {
    runtime.requireOpen();
    return runtime.downloads().downloadWithoutBlocking(id, token);
  }

  /**
   * The image for a peer of the fleet (authenticated by the caller with the fleet token): the
   * committed file or the live fill joined, never a new fill and never the origin; empty when
   * this node has neither. No reader check against the origin: the asking node checks its own
   * callers. Blocking.
   */
  public Optional<Download> downloadForPeer(ImageId id) throws IOException {
    runtime.requireOpen();
    return runtime.downloads().downloadForPeer(id);
  }

  /** What {@link #download} would say before the body, without fetching or counting a hit. */
  public ImageInfo describe(ImageId id, Optional<String> token) throws IOException {
    runtime.requireOpen();
    return runtime.downloads().describe(id, token);
  }

  /**
   * Whether the origin knows the image, asked as the cache itself (with the origin token, never
   * a client's): false when it answers not found, or when there is no origin.
   *
   * @throws OriginAccessDeniedException when the origin refuses the cache's own token
   * @throws OriginUnavailableException when the origin cannot be asked
   */
  public boolean originHas(ImageId id) throws IOException {
    runtime.requireOpen();
    Optional<Origin> origin = runtime.origin();
    if (origin.isEmpty()) {
      return false;
    }
    try {
      origin.get().managementMetadata(id, Optional.empty());
      return true;
    } catch (ImageNotFoundException e) {
      return false;
    }
  }

  /**
   * The API behind the origin, when the cache can stand in for it and pass its other paths
   * through (a Glance origin).
   */
  public Optional<URI> originApi() {
    return runtime.origin().flatMap(Origin::apiEndpoint);
  }

  /** For tests: opens the committed image and counts a hit; empty on a miss. The caller closes the reader. */
  Optional<CacheReader> openCached(ImageId id) throws IOException {
    runtime.requireOpen();
    return driver.openForRead(id);
  }

  /**
   * For tests: the live fill of the image, joined, or a new one reading from {@code source}. A new fill
   * that finds the image committed (by a fill that just ended) completes at once without asking
   * {@code source}; a joining caller's {@code source} is never asked.
   */
  Fill fill(ImageId id, ImageSource source) {
    runtime.requireOpen();
    return runtime.fills().fill(id, source);
  }

  /** For tests: the live fill of the image, if any. */
  Optional<Fill> activeFill(ImageId id) {
    runtime.requireOpen();
    return runtime.fills().active(id);
  }

  /**
   * Tells {@code observer} how each fill that asks its source ends from now on, whoever started
   * it (a request or a prefetch), replacing the previous observer: its last progress (state
   * {@code COMMITTED} or {@code FAILED}, bytes written) and how long it took. It is called on fill threads
   * before the fill's futures complete: it must be quick, must not block, and its failure is
   * logged and ignored.
   */
  public void observeFillEnds(BiConsumer<FillProgress, Duration> observer) {
    runtime.observeFillEnds(observer);
  }

  /** Progress of every live fill, ordered by image id. */
  public List<FillProgress> activeFills() {
    runtime.requireOpen();
    return runtime.fills().active().stream().map(Fill::progress).toList();
  }

  // ---- maintenance ---------------------------------------------------------------------------

  /**
   * One cheap round trip to the metadata store (for readiness): returns when it answers, throws
   * (a {@link CacheStoreException} with the store's cause, say) when it does not. Blocks.
   */
  public void checkStore() throws IOException {
    runtime.requireOpen();
    driver.checkStore();
  }

  /**
   * Asks the origin whether it answers (for readiness): a directory is still there and readable,
   * an HTTP origin answers {@code GET /} below 500, a Glance origin {@code GET /versions}. Returns
   * what it saw ({@code no origin} without one); throws {@link OriginUnavailableException} naming
   * the cause when it does not answer. Blocks, for about 1.5 s plus the connect timeout at most.
   */
  public String checkOrigin() throws IOException {
    runtime.requireOpen();
    Optional<Origin> origin = runtime.origin();
    return origin.isEmpty() ? "no origin" : origin.get().check();
  }

  /**
   * Creates and deletes {@code <dir>/imagecache.probe} (for readiness): throws, naming the cause,
   * when the cache directory takes no new file. Blocks.
   */
  public void checkWritable() throws IOException {
    runtime.requireOpen();
    driver.checkWritable();
  }

  /**
   * A snapshot of the cache's sizes and counters, for metrics: cheap enough for every scrape (it
   * lists the committed files and the store's entries once).
   */
  public CacheStats stats() throws IOException {
    return runtime.stats();
  }

  /** Prunes down to the configured max size. */
  public PruneResult prune() throws IOException {
    return prune(runtime.config().maxSize());
  }

  /**
   * Removes least recently accessed images until at most {@code targetSize} bytes are cached,
   * sparing pinned images and images with a live fill. Concurrent calls, the automatic prune
   * (above {@link CacheConfig#highWater()} after each commit and every
   * {@link CacheConfig#pruneInterval()}) and prunes making room for a fill run one after another.
   */
  public PruneResult prune(long targetSize) throws IOException {
    runtime.requireOpen();
    return runtime.sizeBound().prune(targetSize);
  }

  /**
   * Cleans with the configured stall time; the cache also does so by itself every
   * {@link CacheConfig#cleanInterval()}.
   */
  public CleanResult clean() throws IOException {
    return clean(runtime.config().stallTime());
  }

  /**
   * Removes every file in {@code invalid/} and every abandoned incomplete file older than
   * {@code stallTime}; a live fill's file is never removed. Concurrent calls run one after
   * another.
   */
  public CleanResult clean(Duration stallTime) throws IOException {
    runtime.requireOpen();
    return runtime.clean(stallTime);
  }

  /**
   * Stops the hit flush, the automatic prune and clean, and the prefetch workers (queue markers
   * stay, for the next open), cancels live fills (their incomplete files go to {@code invalid/};
   * committed images stay), writes pending hits, closes the driver and releases the directory.
   * Idempotent.
   */
  @Override
  public void close() throws IOException {
    runtime.close();
  }

  /**
   * For tests: the start-up reconciliation: completes once committed files the metadata store did not know
   * are adopted and entries without a file are dropped (see {@code CacheDriver#reconcile()}).
   * It starts with {@link #startBackgroundWork()}. Until it is done every image is served all
   * the same; one not adopted yet is not listed, and its first hits may go unrecorded.
   */
  CompletableFuture<RecoveryReport> reconciled() {
    return runtime.reconciled();
  }

  /**
   * Starts the start-up work on the fill executor, once (later calls do nothing): the
   * reconciliation of files and metadata ({@link #reconciled()}), then the first measurement of
   * the cache's size, which the automatic prune compares with the high-water mark (until then
   * each commit asks for a size check). Failures are logged: the cache works without them.
   */
  public void startBackgroundWork() {
    runtime.startBackgroundWork();
  }
}
