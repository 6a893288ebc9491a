package io.imagecache;

import io.imagecache.driver.BadDriverConfigurationException;
import io.imagecache.driver.CacheDriver;
import io.imagecache.driver.CacheReader;
import io.imagecache.driver.RecoveryReport;
import io.imagecache.fill.Fill;
import io.imagecache.fill.FillRegistry;
import io.imagecache.fill.ImageSource;
import io.imagecache.internal.DaemonThreads;
import io.imagecache.origin.Origin;
import io.imagecache.origin.OriginSettings;
import io.imagecache.origin.Origins;
import io.imagecache.maintenance.PrefetchPolicy;
import io.imagecache.maintenance.Prefetcher;
import io.imagecache.maintenance.Pruner;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image cache over one directory: Glance's image-cache operations, single-flight fills,
 * prune and clean. The one door through which a server reaches the cache.
 *
 * <p>{@link #open} locks the directory ({@code <dir>/imagecache.lock}, so two caches never share
 * one), opens the configured driver, removes incomplete files left by a crash, reconciles files
 * and metadata in the background while it already serves ({@link #reconciled()}), hands images
 * still queued for prefetch to the prefetch workers, and writes hits to the metadata store every
 * {@link CacheConfig#flushInterval()}. It keeps the committed images within the max size by
 * itself (space reserved before each fill, refused fills streamed through, a prune from the
 * high-water to the low-water mark after each commit and every
 * {@link CacheConfig#pruneInterval()}) and cleans every {@link CacheConfig#cleanInterval()}.
 * Thread-safe.
 */
public final class ImageCache implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
  /**
   * Why delete and deleteAll cancel a live fill; a download whose fill was cancelled for it
   * starts again as a new miss (see {@link Downloads}).
   */
  static final String DELETED_WHILE_FILLED =
      "the image was deleted from the cache while it was being filled";
  /** How long delete, deleteAll and close wait for a cancelled fill to close its writer. */
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

  /** Immutable. */
  private final CacheConfig config;
  /** Held from construction to close; thread-safe. */
  private final DirectoryLock lock;
  /** Thread-safe by the driver contract. */
  private final CacheDriver driver;
  /** Thread-safe; the only opener of writers in this process. */
  private final FillRegistry fills;
  /** Where misses are fetched from, if anywhere; thread-safe; closed by close. */
  private final Optional<Origin> origin;
  /** Stateless apart from thread-safe maps; answers download requests. */
  private final Downloads downloads;
  /** Thread-safe; every prune runs through it, one at a time (manual, automatic, making room). */
  private final SizeBound sizeBound;
  /** Thread-safe; reserves space for each fill of known size and refuses those that do not fit. */
  private final CacheAdmission admission;
  /** Thread-safe; the counters behind {@link #stats()}. */
  private final CacheCounters counters;
  /** The automatic prune and the periodic clean; started last in construction, stopped by close. */
  private final Housekeeping housekeeping;
  /** Thread-safe; fetches queued images on its own workers; closed by close. */
  private final Prefetcher prefetcher;
  /** Serializes cleans, as {@link SizeBound} does prunes. Never held together with its lock. */
  private final ReentrantLock cleanLock = new ReentrantLock();
  /** The periodic hit flush; set once here, cancelled by close. */
  private final ScheduledFuture<?> flushTask;
  /** Shuts down executors this cache created itself; nothing for injected ones. */
  private final Runnable releaseExecutors;
  /**
   * The start-up reconciliation of files and metadata, run on {@link #startUpExecutor} by
   * {@link #startBackgroundWork()}; completes with its report, or exceptionally. Thread-safe.
   */
  private final CompletableFuture<RecoveryReport> reconciliation = new CompletableFuture<>();
  /** Runs the start-up work (the fill executor); thread-safe. */
  private final Executor startUpExecutor;
  /** Set once by the first {@link #startBackgroundWork()}. */
  private final AtomicBoolean startUpWorkStarted = new AtomicBoolean();
  /** Set once by close; checked by every operation. */
  private final AtomicBoolean closed = new AtomicBoolean();

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
    Optional<Origin> opened = origin.map(ImageCache::openOrigin);
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("imagecache-flush"));
    ExecutorService fillExecutor =
        Executors.newCachedThreadPool(DaemonThreads.named("imagecache-fill"));
    Runnable release = () -> {
      scheduler.shutdownNow();
      fillExecutor.shutdown();
    };
    try {
      return new ImageCache(
          config, opened, Clock.systemUTC(), scheduler, fillExecutor, release, false);
    } catch (IOException | RuntimeException e) {
      release.run();
      opened.ifPresent(Origin::close);
      throw e;
    }
  }

  private static Origin openOrigin(OriginConfig config) {
    OriginSettings settings = OriginSettings.defaults().withTimeouts(
        config.connectTimeout(), config.firstByteTimeout(), config.idleTimeout());
    if (config.token().isPresent()) {
      settings = settings.withBearerToken(config.token().get());
    }
    return Origins.parse(config.spec(), settings);
  }

  /** A cache on injected time and threads, which the caller owns and shuts down (for tests). */
  ImageCache(
      CacheConfig config, Clock clock, ScheduledExecutorService scheduler, Executor fillExecutor)
      throws IOException {
    this(config, Optional.empty(), clock, scheduler, fillExecutor, () -> {}, true);
  }

  /** A cache fetching misses from {@code origin}, on injected time and threads (for tests). */
  ImageCache(CacheConfig config, Optional<Origin> origin, Clock clock,
      ScheduledExecutorService scheduler, Executor fillExecutor) throws IOException {
    this(config, origin, clock, scheduler, fillExecutor, () -> {}, true);
  }

  private ImageCache(
      CacheConfig config, Optional<Origin> origin, Clock clock, ScheduledExecutorService scheduler,
      Executor fillExecutor, Runnable releaseExecutors, boolean startBackgroundWork)
      throws IOException {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(fillExecutor, "fillExecutor");
    DirectoryLock directoryLock = DirectoryLock.acquire(config.dir());
    CacheDriver openedDriver;
    try {
      openedDriver = openDriver(config, clock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(directoryLock, e);
      throw e;
    }
    ScheduledFuture<?> flush;
    try {
      long interval = config.flushInterval().toNanos();
      flush = scheduler.scheduleWithFixedDelay(
          () -> flushAccesses(openedDriver), interval, interval, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      closeQuietly(openedDriver, e);
      closeQuietly(directoryLock, e);
      throw e;
    }
    this.lock = directoryLock;
    this.driver = openedDriver;
    this.flushTask = flush;
    this.releaseExecutors = releaseExecutors;
    this.counters = new CacheCounters();
    this.sizeBound = new SizeBound(
        openedDriver, new Pruner(openedDriver, this::hasLiveFill), config, counters);
    this.admission = new CacheAdmission(config, openedDriver, sizeBound);
    this.housekeeping = new Housekeeping(scheduler, sizeBound, this::clean);
    this.fills = new FillRegistry(openedDriver, config.dir(), clock, config.durable(),
        admission, new FillEvents(counters, housekeeping::afterCommit), fillExecutor);
    this.origin = origin;
    this.downloads = new Downloads(openedDriver, fills, origin,
        origin.map(o -> new ReaderAuthorizer(o, clock)), config.maxSize());
    this.prefetcher = Prefetcher.start(openedDriver, fills, origin,
        PrefetchPolicy.of(config.prefetchWorkers(), config.prefetchMaxAttempts()),
        DaemonThreads.named("imagecache-prefetch"), scheduler, clock);
    resumePrefetches();
    housekeeping.start(config.pruneInterval(), config.cleanInterval());
    this.startUpExecutor = fillExecutor;
    LOG.info("opened image cache {} (driver {}, max size {}, held by {})", config.dir(),
        config.driver().configName(), Sizes.format(config.maxSize()), directoryLock.holder());
    if (startBackgroundWork) {
      startBackgroundWork();
    }
  }

  /** The configuration this cache was opened with. */
  public CacheConfig config() {
    return config;
  }

  // ---- Glance's driver operations ------------------------------------------------------------

  /** Whether the image is committed in the cache. */
  public boolean isCached(ImageId id) {
    requireOpen();
    return driver.isCached(id);
  }

  /** Whether the image is queued for prefetch. */
  public boolean isQueued(ImageId id) {
    requireOpen();
    return driver.isQueued(id);
  }

  /** Whether the image is being written right now (an incomplete file exists). */
  public boolean isBeingCached(ImageId id) {
    requireOpen();
    return driver.isBeingCached(id);
  }

  /** Neither cached nor being cached. */
  public boolean isCacheable(ImageId id) {
    requireOpen();
    return driver.isCacheable(id);
  }

  /** Bytes taken by committed images. */
  public long cacheSize() throws IOException {
    requireOpen();
    return driver.cacheSize();
  }

  /** Every committed image, ordered by id. */
  public List<CachedImage> cachedImages() throws IOException {
    requireOpen();
    return driver.cachedImages();
  }

  /** One committed image's metadata, if it is cached. */
  public Optional<CachedImage> cachedImage(ImageId id) throws IOException {
    requireOpen();
    return driver.cachedImage(id);
  }

  /** Hits of a cached image, those not yet written to the store included; 0 when not cached. */
  public long hitCount(ImageId id) throws IOException {
    requireOpen();
    return driver.hitCount(id);
  }

  /**
   * Removes the committed image and its metadata, after cancelling a live fill of it (so the fill
   * cannot bring it back). Returns whether a committed file was removed.
   */
  public boolean delete(ImageId id) throws IOException {
    requireOpen();
    fills.cancel(id, DELETED_WHILE_FILLED, CANCEL_WAIT);
    return driver.delete(id);
  }

  /** Cancels every live fill and removes every committed image; returns how many were removed. */
  public int deleteAll() throws IOException {
    requireOpen();
    fills.cancelAll(DELETED_WHILE_FILLED, CANCEL_WAIT);
    return driver.deleteAll();
  }

  /**
   * Writes the queue marker only (Glance's {@code queue_image}); false when the image is cached,
   * being cached or queued already. {@link #prefetch} also has it fetched.
   */
  public boolean queue(ImageId id) throws IOException {
    requireOpen();
    return driver.queue(id);
  }

  /** Queued ids, oldest first. */
  public List<ImageId> queuedImages() throws IOException {
    requireOpen();
    return driver.queuedImages();
  }

  /**
   * Removes the image from the queue and forgets its prefetch (a failed one too); returns whether
   * it was queued or known to the prefetch queue. A fetch in progress is not stopped (clients may
   * share its fill) and may still cache the image.
   */
  public boolean deleteQueued(ImageId id) throws IOException {
    requireOpen();
    boolean known = prefetcher.forget(id);
    return driver.deleteQueued(id) || known;
  }

  /**
   * Empties the queue as {@link #deleteQueued} does each id; returns how many markers were
   * removed.
   */
  public int deleteAllQueued() throws IOException {
    requireOpen();
    prefetcher.forgetAll();
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
    requireOpen();
    prefetcher.prefetch(id, token);
  }

  /** Every image the prefetch queue knows (waiting, fetching, retrying or failed), oldest first. */
  public List<PrefetchState> prefetchStates() {
    requireOpen();
    return prefetcher.states();
  }

  /** Whether {@link #cachedNodes} can answer (the postgres driver). */
  public boolean tracksNodes() {
    requireOpen();
    return driver.tracksNodes();
  }

  /**
   * The URLs of the nodes of the fleet that hold the image.
   *
   * @throws UnsupportedOperationException when {@link #tracksNodes()} is false
   */
  public List<String> cachedNodes(ImageId id) throws IOException {
    requireOpen();
    return driver.cachedNodes(id);
  }

  /** Pins the image so that prune never removes it; false when it was pinned. */
  public boolean pin(ImageId id) throws IOException {
    requireOpen();
    return driver.pin(id);
  }

  /** Unpins the image; false when it was not pinned. */
  public boolean unpin(ImageId id) throws IOException {
    requireOpen();
    return driver.unpin(id);
  }

  /** Whether the image is pinned. */
  public boolean isPinned(ImageId id) {
    requireOpen();
    return driver.isPinned(id);
  }

  /** Every pinned id, ordered. */
  public List<ImageId> pinnedImages() throws IOException {
    requireOpen();
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
    requireOpen();
    return downloads.download(id, token);
  }

  /**
   * {@link #download} without holding a thread while the origin prepares its answer: blocking
   * steps run on {@code executor}; the future fails with the same exceptions.
   */
  public CompletableFuture<Download> download(
      ImageId id, Optional<String> token, Executor executor) {
    requireOpen();
    return downloads.download(id, token, executor);
  }

  /**
   * A hit answered without blocking and without a system call, so an event loop may ask: when the
   * caller's access needs no origin request (no origin that authorizes readers, or its yes is
   * remembered) and the driver holds the image's file open from an earlier read. Empty means
   * "ask {@link #download}", not "not cached". Counts a hit.
   */
  public Optional<Download> downloadWithoutBlocking(ImageId id, Optional<String> token) {
    requireOpen();
    return downloads.downloadWithoutBlocking(id, token);
  }

  /** What {@link #download} would say before the body, without fetching or counting a hit. */
  public ImageInfo describe(ImageId id, Optional<String> token) throws IOException {
    requireOpen();
    return downloads.describe(id, token);
  }

  /**
   * Whether the origin knows the image, asked as the cache itself (with the origin token, never
   * a client's): false when it answers not found, or when there is no origin.
   *
   * @throws OriginAccessDeniedException when the origin refuses the cache's own token
   * @throws OriginUnavailableException when the origin cannot be asked
   */
  public boolean originHas(ImageId id) throws IOException {
    requireOpen();
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
    return origin.flatMap(Origin::apiEndpoint);
  }

  /** Opens the committed image and counts a hit; empty on a miss. The caller closes the reader. */
  public Optional<CacheReader> openCached(ImageId id) throws IOException {
    requireOpen();
    return driver.openForRead(id);
  }

  /**
   * The live fill of the image, joined, or a new one reading from {@code source}. A new fill
   * that finds the image committed (by a fill that just ended) completes at once without asking
   * {@code source}; a joining caller's {@code source} is never asked.
   */
  public Fill fill(ImageId id, ImageSource source) {
    requireOpen();
    return fills.fill(id, source);
  }

  /** The live fill of the image, if any. */
  public Optional<Fill> activeFill(ImageId id) {
    requireOpen();
    return fills.active(id);
  }

  /** Progress of every live fill, ordered by image id. */
  public List<FillProgress> activeFills() {
    requireOpen();
    return fills.active().stream().map(Fill::progress).toList();
  }

  // ---- maintenance ---------------------------------------------------------------------------

  /**
   * A snapshot of the cache's sizes and counters, for metrics: cheap enough for every scrape (it
   * lists the committed files and the store's entries once).
   */
  public CacheStats stats() throws IOException {
    requireOpen();
    List<Fill> live = fills.active();
    long waiting = live.stream().mapToLong(Fill::waitingReaders).sum();
    return counters.snapshot(driver.cacheSize(), driver.cachedImages().size(),
        admission.reservedBytes(), live.size(), waiting);
  }

  /** Prunes down to the configured max size. */
  public PruneResult prune() throws IOException {
    return prune(config.maxSize());
  }

  /**
   * Removes least recently accessed images until at most {@code targetSize} bytes are cached,
   * sparing pinned images and images with a live fill. Concurrent calls, the automatic prune
   * (above {@link CacheConfig#highWater()} after each commit and every
   * {@link CacheConfig#pruneInterval()}) and prunes making room for a fill run one after another.
   */
  public PruneResult prune(long targetSize) throws IOException {
    requireOpen();
    return sizeBound.prune(targetSize);
  }

  /**
   * Cleans with the configured stall time; the cache also does so by itself every
   * {@link CacheConfig#cleanInterval()}.
   */
  public CleanResult clean() throws IOException {
    return clean(config.stallTime());
  }

  /**
   * Removes every file in {@code invalid/} and every abandoned incomplete file older than
   * {@code stallTime}; a live fill's file is never removed. Concurrent calls run one after
   * another.
   */
  public CleanResult clean(Duration stallTime) throws IOException {
    requireOpen();
    cleanLock.lock();
    try {
      CleanResult result = driver.clean(stallTime);
      LOG.info("clean of {} (stall time {}): {} invalid and {} stalled files, {} bytes removed",
          config.dir(), Durations.format(stallTime), result.invalidFilesRemoved(),
          result.stalledFilesRemoved(), result.bytesRemoved());
      return result;
    } finally {
      cleanLock.unlock();
    }
  }

  /**
   * Stops the hit flush, the automatic prune and clean, and the prefetch workers (queue markers
   * stay, for the next open), cancels live fills (their incomplete files go to {@code invalid/};
   * committed images stay), writes pending hits, closes the driver and releases the directory.
   * Idempotent.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      flushTask.cancel(false);
      housekeeping.stop();
      prefetcher.close();
      fills.cancelAll("the cache is closing", CANCEL_WAIT);
      releaseExecutors.run();
      origin.ifPresent(Origin::close);
      driver.close();
    } finally {
      lock.close();
      LOG.info("closed image cache {}", config.dir());
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Hands the images still queued (a restart) to the prefetch workers again. */
  private void resumePrefetches() {
    try {
      prefetcher.resumeQueued();
    } catch (IOException | RuntimeException e) {
      LOG.warn("the prefetch queue of {} cannot be read; queued images are fetched when queued"
          + " again: {}", config.dir(), e.toString());
    }
  }

  /**
   * The start-up reconciliation: completes once committed files the metadata store did not know
   * are adopted and entries without a file are dropped (see {@link CacheDriver#reconcile()}).
   * It starts with {@link #startBackgroundWork()}. Until it is done every image is served all
   * the same; one not adopted yet is not listed, and its first hits may go unrecorded.
   */
  public CompletableFuture<RecoveryReport> reconciled() {
    return reconciliation.copy();
  }

  /**
   * Starts the start-up work on the fill executor, once (later calls do nothing): the
   * reconciliation of files and metadata ({@link #reconciled()}), then the first measurement of
   * the cache's size, which the automatic prune compares with the high-water mark (until then
   * each commit asks for a size check). Failures are logged: the cache works without them.
   */
  public void startBackgroundWork() {
    if (!startUpWorkStarted.compareAndSet(false, true)) {
      return;
    }
    try {
      startUpExecutor.execute(this::runStartUpWork);
    } catch (RejectedExecutionException e) {
      reconciliation.completeExceptionally(e);
    }
  }

  private void runStartUpWork() {
    try {
      reconciliation.complete(driver.reconcile());
    } catch (Throwable t) {
      if (closed.get()) {
        LOG.debug("reconciliation ended by the cache closing: {}", t.toString());
      } else {
        LOG.warn("reconciling the cache directory with the metadata store failed; files the"
            + " store does not know stay unlisted until the next start: {}", t.toString());
      }
      reconciliation.completeExceptionally(t);
    }
    if (closed.get()) {
      return;
    }
    try {
      sizeBound.measure();
    } catch (IOException | RuntimeException e) {
      LOG.warn("the cache size is unknown; the first commit will measure it: {}", e.toString());
    }
  }

  /** Whether a fill of {@code id} is live: what prunes spare. */
  private boolean hasLiveFill(ImageId id) {
    return fills.isActive(id);
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the image cache on " + config.dir() + " is closed");
    }
  }

  /**
   * Configures the driver and removes the incomplete files a crash left, before any fill can
   * start; closes the driver if either fails. The rest of the reconciliation runs in the
   * background ({@link #reconciled()}).
   */
  private static CacheDriver openDriver(CacheConfig config, Clock clock) throws IOException {
    CacheDriver driver = DriverFactory.create(config, clock);
    try {
      try {
        driver.configure();
      } catch (BadDriverConfigurationException e) {
        throw new BadCacheConfigurationException(
            "driver " + config.driver().configName() + " cannot use " + config.dir() + ": "
                + e.getMessage(), e);
      }
      List<ImageId> removed = driver.removeIncomplete();
      if (!removed.isEmpty()) {
        LOG.info("removed incomplete files left by a crash: {}", removed);
      }
      return driver;
    } catch (IOException | RuntimeException e) {
      closeQuietly(driver, e);
      throw e;
    }
  }

  /** The scheduled hit flush: it must survive any failure, or the scheduler would drop it. */
  private static void flushAccesses(CacheDriver driver) {
    try {
      driver.flushAccesses();
    } catch (Throwable t) {
      LOG.warn("writing hits to the metadata store failed; they stay pending: {}", t.toString());
    }
  }

  private static void closeQuietly(Closeable closeable, Exception pending) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      pending.addSuppressed(e);
    }
  }
}
