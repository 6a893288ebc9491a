package io.imagecache.internal.maintenance;

import io.imagecache.ImageId;
import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.PrefetchState;
import io.imagecache.internal.fill.FillRegistry;
import io.imagecache.internal.origin.ImageMetadata;
import io.imagecache.internal.origin.Origin;
import io.imagecache.internal.store.CacheDriver;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's prefetch (Glance's {@code PUT /v2/cache/{id}} and its CacheWorker): checks the image
 * with the origin, writes the queue marker and hands the image to a {@link PrefetchQueue}, whose
 * workers fetch it through the cache's single-flight fills, so a prefetch and a client download
 * of the same image share one origin fetch. Queue markers are files, so they outlive the process:
 * {@link #resumeQueued} hands them to the queue again at start-up.
 *
 * <p>Unlike Glance, an image that is cached already is not downloaded again, and one being filled
 * is joined, not fetched a second time. Without an origin nothing can be fetched: no workers run.
 * Thread-safe. Public only because the facade lives in another package.
 */
public final class Prefetcher implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

  private final CacheDriver driver;
  private final FillRegistry fills;
  /** The origin and the queue fetching from it; both empty when the cache has no origin. */
  private final Optional<Origin> origin;
  private final Optional<PrefetchQueue> queue;

  private Prefetcher(CacheDriver driver, FillRegistry fills, Optional<Origin> origin,
      Optional<PrefetchQueue> queue) {
    this.driver = driver;
    this.fills = fills;
    this.origin = origin;
    this.queue = queue;
  }

  /**
   * A prefetcher writing markers through {@code driver} and fetching with {@code fills} from
   * {@code origin}; with an origin, its queue's workers are started (threads from
   * {@code workerThreads}, retries timed on {@code scheduler}, which the caller owns).
   */
  public static Prefetcher start(CacheDriver driver, FillRegistry fills, Optional<Origin> origin,
      PrefetchPolicy policy, ThreadFactory workerThreads, ScheduledExecutorService scheduler,
      Clock clock) {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(fills, "fills");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(policy, "policy");
    Optional<PrefetchQueue> queue = origin.isPresent()
        ? Optional.of(PrefetchQueue.start(policy, workerThreads, scheduler, clock))
        : Optional.empty();
    return new Prefetcher(driver, fills, origin, queue);
  }

  /**
   * Queues the image and has it fetched soon, asking the origin with {@code token} whether the
   * caller may see it and whether it is active. A cached image is accepted and not fetched; one
   * being filled is joined. Without an origin only a cached image is accepted.
   *
   * @throws ImageNotFoundException when the origin does not have it for this caller (or, without
   *     an origin, when it is not cached)
   * @throws ImageNotActiveException when the origin's image is not active
   * @throws io.imagecache.OriginAccessDeniedException when the origin refuses the caller
   * @throws io.imagecache.OriginUnavailableException when the origin cannot be asked
   */
  public void prefetch(ImageId id, Optional<String> token) throws IOException {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(token, "token");
    if (origin.isEmpty() || queue.isEmpty()) {
      if (!driver.isCached(id)) {
        throw new ImageNotFoundException(id);
      }
      return;
    }
    ImageMetadata metadata = origin.get().managementMetadata(id, token);
    if (!metadata.isActive()) {
      throw new ImageNotActiveException(id, metadata.status());
    }
    if (driver.isCached(id)) {
      LOG.debug("prefetch of {}: cached already", id);
      return;
    }
    boolean marked = driver.queue(id);
    boolean submitted = queue.get().submit(id, fetch(id, token));
    LOG.info("prefetch of {}: {}{}", id, submitted ? "queued" : "queued already",
        marked ? "" : " (no marker: cached, being cached or queued already)");
  }

  /** Hands every queued image (its marker on disk) to the queue, oldest first; returns how many. */
  public int resumeQueued() throws IOException {
    if (queue.isEmpty()) {
      return 0;
    }
    int resumed = 0;
    for (ImageId id : driver.queuedImages()) {
      if (queue.get().submit(id, fetch(id, Optional.empty()))) {
        resumed++;
      }
    }
    if (resumed > 0) {
      LOG.info("resumed the prefetch of {} queued images", resumed);
    }
    return resumed;
  }

  /**
   * Every image the queue knows, in the order it was queued. A failed prefetch of an image that
   * was cached since (by a client's download) is forgotten first.
   */
  public List<PrefetchState> states() {
    if (queue.isEmpty()) {
      return List.of();
    }
    for (PrefetchState state : queue.get().states()) {
      if (state.status() == PrefetchState.Status.FAILED && driver.isCached(state.imageId())) {
        queue.get().removeFailed(state.imageId());
      }
    }
    return queue.get().states();
  }

  /** Forgets the image (its marker is the caller's); a fetch in progress goes on. */
  public boolean forget(ImageId id) {
    return queue.map(q -> q.remove(id)).orElse(false);
  }

  /** Forgets every image; fetches in progress go on. Returns how many were known. */
  public int forgetAll() {
    return queue.map(PrefetchQueue::removeAll).orElse(0);
  }

  /**
   * Has {@code count} images fetched at once from now on (see {@link PrefetchQueue#workers});
   * nothing without an origin, where no workers run.
   */
  public void workers(int count) {
    queue.ifPresent(q -> q.workers(count));
  }

  /** Stops the workers; queue markers stay for the next start. */
  @Override
  public void close() {
    queue.ifPresent(PrefetchQueue::close);
  }

  /**
   * One attempt for {@code id}: nothing when it is cached (its marker, left by a crash between
   * commit and marker removal, is removed), else the live fill joined or a new one started.
   */
  private PrefetchQueue.Fetch fetch(ImageId id, Optional<String> callerToken) {
    Origin source = origin.orElseThrow();
    return () -> {
      if (driver.isCached(id)) {
        driver.deleteQueued(id);
        return CompletableFuture.completedFuture(null);
      }
      return fills.fill(id, source.prefetchSource(id, callerToken)).completion();
    };
  }
}
