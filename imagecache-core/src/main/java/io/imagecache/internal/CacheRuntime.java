package io.imagecache.internal;

import io.imagecache.BadCacheConfigurationException;
import io.imagecache.CacheConfig;
import io.imagecache.CacheStats;
import io.imagecache.CleanResult;
import io.imagecache.DriverKind;
import io.imagecache.Durations;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginConfig;
import io.imagecache.Sizes;
import io.imagecache.internal.fill.CacheAdmission;
import io.imagecache.internal.fill.DownloadPlanner;
import io.imagecache.internal.fill.Fill;
import io.imagecache.internal.fill.FillEvents;
import io.imagecache.internal.fill.FillRegistry;
import io.imagecache.internal.maintenance.Housekeeping;
import io.imagecache.internal.maintenance.PrefetchPolicy;
import io.imagecache.internal.maintenance.Prefetcher;
import io.imagecache.internal.maintenance.Pruner;
import io.imagecache.internal.maintenance.SizeBound;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.fleet.Fleet;
import io.imagecache.internal.origin.OriginSettings;
import io.imagecache.internal.origin.PeerFillOrigin;
import io.imagecache.internal.origin.VerifyingOrigin;
import io.imagecache.internal.origin.Origins;
import io.imagecache.internal.origin.ReaderAuthorizer;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.RecoveryReport;
import io.imagecache.internal.store.postgres.FleetEvents;
import io.imagecache.internal.store.postgres.PostgresFleet;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts of one open cache, composed and started here: the composition root behind
 * the {@link io.imagecache.ImageCache} facade, and the one place that creates threads and reads
 * the clock.
 *
 * <p>Opening locks the directory ({@code <dir>/imagecache.lock}, so two caches never share one),
 * opens the configured driver, removes incomplete files left by a crash, reconciles files and
 * metadata in the background while it already serves ({@link #reconciled()}), hands images still
 * queued for prefetch to the prefetch workers, and writes hits to the metadata store every
 * {@link CacheConfig#flushInterval()}. It keeps the committed images within the max size by
 * itself (space reserved before each fill, refused fills streamed through, a prune from the
 * high-water to the low-water mark after each commit and every
 * {@link CacheConfig#pruneInterval()}) and cleans every {@link CacheConfig#cleanInterval()}.
 * With driver postgres it also takes part in fleet-wide deletes ({@link FleetEvents}: the
 * deletes it missed are replayed before it opens, later ones applied as they come).
 * Thread-safe.
 */
public final class CacheRuntime implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(CacheRuntime.class);
  /** How long delete, deleteAll and close wait for a cancelled fill to close its writer. */
  public static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

  /** Immutable. */
  /** Replaced whole by {@link #resize}; only its size bound ever changes. */
  private volatile CacheConfig config;
  /** Held from construction to close; thread-safe. */
  private final DirectoryLock lock;
  /** Thread-safe by the driver contract. */
  private final CacheDriver driver;
  /** Thread-safe; the only opener of writers in this process. */
  private final FillRegistry fills;
  /** What the fills tell; carries the observer of their ends. */
  private final FillEvents fillEvents;
  /** Where misses are fetched from, if anywhere; thread-safe; closed by close. */
  private final Optional<Origin> origin;
  /** Stateless apart from thread-safe maps; answers download requests. */
  private final DownloadPlanner downloads;
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
  /** Fleet-wide deletes (driver postgres only); thread-safe; closed by close. */
  private final Optional<FleetEvents> fleetEvents;

  /**
   * Opens the cache {@code config} describes, fetching misses from {@code origin}, with the system
   * clock, a daemon thread for the hit flush and a daemon thread pool for fills; it leaves the start-up work
   * that scans every file (reconciling files and metadata, measuring the cache's size) until
   * {@link #startBackgroundWork()}, so that a server can start listening first instead of sharing
   * the CPU with it. Hits, fills and every operation work before that; the caller must call
   * {@link #startBackgroundWork()} once it is ready.
   */
  public static CacheRuntime open(CacheConfig config, Optional<OriginConfig> origin)
      throws IOException {
    Optional<Origin> opened = origin.map(CacheRuntime::openOrigin);
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("imagecache-flush"));
    ExecutorService fillExecutor = Executors.newCachedThreadPool(DaemonThreads.named("imagecache-fill"));
    Runnable release = () -> {
      scheduler.shutdownNow();
      fillExecutor.shutdown();
    };
    try {
      opened = inFleet(config, opened);
    } catch (IOException | RuntimeException e) {
      release.run();
      opened.ifPresent(Origin::close);
      throw e;
    }
    try {
      return new CacheRuntime(
          config, opened, Clock.systemUTC(), scheduler, fillExecutor, release, false);
    } catch (IOException | RuntimeException e) {
      release.run();
      opened.ifPresent(Origin::close);
      throw e;
    }
  }

  /**
   * In fleet mode (a fleet token with driver postgres) the origin filled through the fleet: this
   * node joins it on the shared database (heartbeats on a thread of its own, which the returned
   * origin shuts down) and fills from live peers before the origin. Without an origin there is
   * nothing to fill, so no fleet either.
   */
  private static Optional<Origin> inFleet(CacheConfig config, Optional<Origin> origin)
      throws IOException {
    if (config.fleet().isEmpty() || origin.isEmpty()) {
      return origin;
    }
    CacheConfig.Fleet settings = config.fleet().get();
    ScheduledExecutorService fleetThread =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("imagecache-fleet"));
    Fleet fleet;
    try {
      fleet = PostgresFleet.open(config.dbUrl().orElseThrow(), config.dbPassword(),
          config.nodeUrl().orElseThrow(), settings.nodeDeadAfter(), Clock.systemUTC(),
          fleetThread);
    } catch (BadDriverConfigurationException | RuntimeException e) {
      fleetThread.shutdownNow();
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new BadCacheConfigurationException("the fleet cannot start: " + e.getMessage(), e);
    }
    LOG.info("node {} joined the fleet; misses fill from its peers", fleet.self());
    return Optional.of(new PeerFillOrigin(origin.get(), fleet, settings.token(), fleetThread));
  }

  private static Origin openOrigin(OriginConfig config) {
    OriginSettings settings = OriginSettings.defaults().withTimeouts(
        config.connectTimeout(), config.firstByteTimeout(), config.idleTimeout())
        .withTls(config.tls())
        .withResumeAttempts(config.resumeAttempts())
        .withConnections(config.connections());
    if (config.ownCredential().isPresent()) {
      settings = settings.withCredential(config.ownCredential().get());
    }
    return new VerifyingOrigin(Origins.parse(config.spec(), settings), config.verify());
  }

  /** A cache on injected time and threads, which the caller owns and shuts down (for tests). */
  public CacheRuntime(
      CacheConfig config, Clock clock, ScheduledExecutorService scheduler, Executor fillExecutor)
      throws IOException {
    this(config, Optional.empty(), clock, scheduler, fillExecutor, () -> {}, true);
  }

  /** A cache fetching misses from {@code origin}, on injected time and threads (for tests). */
  public CacheRuntime(CacheConfig config, Optional<Origin> origin, Clock clock,
      ScheduledExecutorService scheduler, Executor fillExecutor) throws IOException {
    this(config, origin, clock, scheduler, fillExecutor, () -> {}, true);
  }

  private CacheRuntime(
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
    this.housekeeping = new Housekeeping(scheduler, sizeBound, () -> clean(config.stallTime()));
    this.fillEvents = new FillEvents(counters, housekeeping::afterCommit);
    this.fills = new FillRegistry(openedDriver, config.dir(), clock, config.durable(),
        admission, fillEvents, fillExecutor);
    this.origin = origin;
    origin.filter(PeerFillOrigin.class::isInstance).map(PeerFillOrigin.class::cast)
        .ifPresent(fleetOrigin -> {
          fillEvents.hookEnds(fleetOrigin::fillEnded);
          fleetOrigin.refillWith((id, token) -> fills.fill(id, fleetOrigin.source(id, token)));
        });
    this.downloads = new DownloadPlanner(openedDriver, fills, origin,
        origin.map(o -> new ReaderAuthorizer(o, clock)), config.maxSize(),
        this::checkGoneAtOrigin);
    this.prefetcher = Prefetcher.start(openedDriver, fills, origin,
        PrefetchPolicy.of(config.prefetchWorkers(), config.prefetchMaxAttempts()),
        DaemonThreads.named("imagecache-prefetch"), scheduler, clock);
    resumePrefetches();
    housekeeping.start(config.pruneInterval(), config.cleanInterval());
    this.startUpExecutor = fillExecutor;
    // Last: replaying the deletes this node missed needs every part above.
    this.fleetEvents = config.driver() == DriverKind.POSTGRES
        ? Optional.of(FleetEvents.start(config.dbUrl().orElseThrow(), config.dbPassword(),
            config.nodeUrl().orElseThrow(), this::deleteHere))
        : Optional.empty();
    LOG.info("opened image cache {} (driver {}, max size {}, held by {})", config.dir(),
        config.driver().configName(), Sizes.format(config.maxSize()), directoryLock.holder());
    if (startBackgroundWork) {
      startBackgroundWork();
    }
  }

  /** The configuration this cache was opened with, with the size bound in force now. */
  public CacheConfig config() {
    return config;
  }

  /**
   * Takes the size bound of {@code next} (max size, high- and low-water marks) and its number of
   * prefetch workers from now on; checks the bound soon, pruning if the cache is now above the
   * high-water mark. Fills already admitted keep their room; prefetches in progress finish.
   *
   * @throws IllegalArgumentException if {@code next} differs in anything else
   */
  public synchronized void resize(CacheConfig next) {
    requireOpen();
    CacheConfig current = config;
    CacheConfig resized = current.toBuilder()
        .maxSize(next.maxSize()).highWater(next.highWater()).lowWater(next.lowWater())
        .prefetchWorkers(next.prefetchWorkers()).build();
    if (!resized.equals(next)) {
      throw new IllegalArgumentException("only the max size, the high- and low-water marks and"
          + " the prefetch workers can change while the cache is open");
    }
    if (resized.equals(current)) {
      return;
    }
    if (resized.prefetchWorkers() != current.prefetchWorkers()) {
      prefetcher.workers(resized.prefetchWorkers());
    }
    config = resized;
    if (sameBound(resized, current)) {
      return;
    }
    admission.maxSize(resized.maxSize());
    downloads.maxSize(resized.maxSize());
    sizeBound.bounds(resized);
    LOG.info("size bound of {} now: max size {}, high water {}%, low water {}%", current.dir(),
        Sizes.format(resized.maxSize()), percent(resized.highWater()),
        percent(resized.lowWater()));
    housekeeping.checkSoon();
  }

  private static boolean sameBound(CacheConfig a, CacheConfig b) {
    return a.maxSize() == b.maxSize() && a.highWater() == b.highWater()
        && a.lowWater() == b.lowWater();
  }

  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString();
  }

  /** The store: thread-safe by its contract. */
  public CacheDriver driver() {
    return driver;
  }

  /** Tells {@code observer} of every fill's end from now on, replacing the previous observer. */
  public void observeFillEnds(BiConsumer<FillProgress, Duration> observer) {
    fillEvents.observeEnds(observer);
  }

  /** The live fills; the only opener of writers in this process. */
  public FillRegistry fills() {
    return fills;
  }

  /** Answers download requests. */
  public DownloadPlanner downloads() {
    return downloads;
  }

  /** The prefetch workers. */
  public Prefetcher prefetcher() {
    return prefetcher;
  }

  /** Where misses are fetched from, if anywhere. */
  public Optional<Origin> origin() {
    return origin;
  }

  /** Every prune runs through it, one at a time. */
  public SizeBound sizeBound() {
    return sizeBound;
  }

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
      fleetEvents.ifPresent(FleetEvents::close);
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

  /**
   * Removes the committed image and its metadata, after cancelling a live fill of it (so the fill
   * cannot bring it back). Returns whether a committed file was removed.
   */
  public boolean delete(ImageId id) throws IOException {
    requireOpen();
    fills.cancel(id, DownloadPlanner.DELETED_WHILE_FILLED, CANCEL_WAIT);
    return driver.delete(id);
  }

  /**
   * Tells every other node of the fleet to delete {@code id} (from its queue and cache); the
   * caller has deleted it here.
   *
   * @throws IllegalStateException when the driver is not postgres (there is no fleet)
   * @throws io.imagecache.CacheStoreException when the database does not answer
   */
  public void publishFleetDelete(ImageId id) throws IOException {
    requireOpen();
    fleetEvents.orElseThrow(() -> new IllegalStateException(
        "a fleet-wide delete needs driver postgres, not " + config.driver().configName()))
        .publish(id);
  }

  /**
   * A caller's reader check answered 404 for {@code id}, which this node holds. A 404 for one
   * caller may only mean that it cannot see the image, so the origin is asked again, in the
   * background, as the cache itself (its own credential, else no token, which Glance answers
   * with 401): a 404 then means the image is gone, and it is deleted here and fleet-wide.
   * Driver postgres only.
   */
  private void checkGoneAtOrigin(ImageId id) {
    if (fleetEvents.isEmpty() || origin.isEmpty() || closed.get()) {
      return;
    }
    try {
      startUpExecutor.execute(() -> deleteIfGoneAtOrigin(id));
    } catch (RejectedExecutionException e) {
      LOG.debug("not checking whether {} is gone at the origin: {}", id, e.toString());
    }
  }

  private void deleteIfGoneAtOrigin(ImageId id) {
    try {
      origin.orElseThrow().managementMetadata(id, Optional.empty());
    } catch (ImageNotFoundException gone) {
      try {
        LOG.info("{} is gone at the origin: deleting it on every node of the fleet", id);
        deleteHere(id);
        publishFleetDelete(id);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot delete {}, which is gone at the origin: {}", id, e.toString());
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{} may still be at the origin (it did not say it is gone): {}", id, e.toString());
    }
  }

  /** A fleet-wide delete another node published: out of the queue and the cache here. */
  private void deleteHere(ImageId id) throws IOException {
    if (closed.get()) {
      return;
    }
    prefetcher.forget(id);
    driver.deleteQueued(id);
    delete(id);
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

  /** Throws unless the cache is open. */
  public void requireOpen() {
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
