package io.imagecache.internal.maintenance;

import io.imagecache.CacheConfig;
import io.imagecache.PruneResult;
import io.imagecache.Sizes;
import io.imagecache.internal.CacheCounters;
import io.imagecache.internal.store.CacheDriver;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every prune of one cache runs, one at a time: the manual prune, the automatic one (from
 * the high-water down to the low-water mark) and the prunes that make room for a fill. Each
 * one's evictions are counted. Pinned images and images with a live fill are never removed
 * ({@link Pruner}).
 *
 * <p>So that a commit does not cost a directory listing, it keeps an upper bound of the cache
 * size: the last measured size plus every byte committed since the measurement started (deletes
 * and prunes only make the bound looser). A commit asks for the automatic prune only when that
 * bound is above the high-water mark; the periodic check measures again.
 */
public final class SizeBound {
  private static final Logger LOG = LoggerFactory.getLogger(SizeBound.class);

  private final CacheDriver driver;
  /** Stateless; run only under {@link #pruneLock}. */
  private final Pruner pruner;
  private final CacheCounters counters;
  /** {@code highWater × maxSize}: above this many committed bytes the automatic prune starts. */
  private volatile long highWaterBytes;
  /** {@code lowWater × maxSize}: what the automatic prune goes down to. */
  private volatile long lowWaterBytes;
  /**
   * Serializes prunes (Glance runs them one after another); held across driver I/O on purpose,
   * since a prune deletes what one listing decided. Nothing that waits for a fill holds it.
   */
  private final ReentrantLock pruneLock = new ReentrantLock();
  /** Bytes committed since the cache opened (the sizes of the commits); only grows. */
  private final AtomicLong committedTotal = new AtomicLong();
  /**
   * The last measurement (null before the first): replaced whole, under {@link #pruneLock};
   * read anywhere (volatile).
   */
  private volatile Measurement measured;

  public SizeBound(CacheDriver driver, Pruner pruner, CacheConfig config, CacheCounters counters) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.pruner = Objects.requireNonNull(pruner, "pruner");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.highWaterBytes = (long) (config.highWater() * config.maxSize());
    this.lowWaterBytes = (long) (config.lowWater() * config.maxSize());
  }

  /** Takes the high- and low-water marks of {@code config} from now on (a reload). */
  public void bounds(CacheConfig config) {
    lowWaterBytes = (long) (config.lowWater() * config.maxSize());
    highWaterBytes = (long) (config.highWater() * config.maxSize());
  }

  /** Removes least recently accessed images until at most {@code targetSize} bytes are cached. */
  public PruneResult prune(long targetSize) throws IOException {
    pruneLock.lock();
    try {
      PruneResult result = pruner.prune(targetSize);
      counters.evicted(result);
      return result;
    } finally {
      pruneLock.unlock();
    }
  }

  /** The automatic bound: when more than the high-water mark is cached, prunes to the low one. */
  PruneResult enforce() throws IOException {
    pruneLock.lock();
    try {
      long committedBefore = committedTotal.get();
      long cached = driver.cacheSize();
      measured = new Measurement(cached, committedBefore);
      if (cached <= highWaterBytes) {
        return PruneResult.NOTHING;
      }
      LOG.info("{} cached, above the high-water mark of {}: pruning to {}",
          Sizes.format(cached), Sizes.format(highWaterBytes), Sizes.format(lowWaterBytes));
      PruneResult result = pruner.prune(lowWaterBytes);
      counters.evicted(result);
      measured = new Measurement(cached - result.bytesPruned(), committedBefore);
      return result;
    } finally {
      pruneLock.unlock();
    }
  }

  /** Measures the cache size now, so that commits can tell whether a prune may be due. */
  public void measure() throws IOException {
    pruneLock.lock();
    try {
      long committedBefore = committedTotal.get();
      measured = new Measurement(driver.cacheSize(), committedBefore);
    } finally {
      pruneLock.unlock();
    }
  }

  /**
   * Notes a commit of {@code bytes}; true when the cache may now be above the high-water mark,
   * so that {@link #enforce()} is due. Never blocks.
   */
  boolean committed(long bytes) {
    long total = committedTotal.addAndGet(bytes);
    Measurement last = measured;
    return last == null || last.size() + (total - last.committedBefore()) > highWaterBytes;
  }

  /** Bytes a prune could remove now (committed, not pinned, not being filled). */
  public long evictableBytes() throws IOException {
    return pruner.evictableBytes();
  }

  /** A cache size and how many bytes had been committed when its listing started. */
  private record Measurement(long size, long committedBefore) {}
}
