package io.imagecache.internal.fill;

import io.imagecache.CachedImage;
import io.imagecache.FillFailureReason;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.internal.CacheCounters;
import java.util.Objects;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * The facade's ear on its fills: counts their origin fetches, bytes, commits and failures, asks
 * for the automatic size check after each commit and tells an observer of each fill's end. Quick and non-blocking, as
 * {@link FillListener} requires.
 */
public final class FillEvents implements FillListener {
  private final CacheCounters counters;
  private final LongConsumer afterCommit;
  /** Who hears of each fill's end; set once by the cache's user, read by fill threads. */
  private volatile BiConsumer<FillProgress, Duration> endObserver = (last, took) -> {};
  /** Who else hears of each fill's end (the fleet); set once by the runtime, read by fill threads. */
  private volatile Consumer<ImageId> endHook = id -> {};

  /**
   * Counts into {@code counters}; gives each commit's size to {@code afterCommit}, which must not
   * block.
   */
  public FillEvents(CacheCounters counters, LongConsumer afterCommit) {
    this.counters = Objects.requireNonNull(counters, "counters");
    this.afterCommit = Objects.requireNonNull(afterCommit, "afterCommit");
  }

  @Override
  public void originFetch(ImageId id) {
    counters.originFetch();
  }

  @Override
  public void originBytesRead(ImageId id, long bytes) {
    counters.originBytesRead(bytes);
  }

  @Override
  public void peerBytesRead(ImageId id, long bytes) {
    counters.peerBytesRead(bytes);
  }

  @Override
  public void committed(CachedImage image) {
    counters.fillCommitted();
    afterCommit.accept(image.size());
  }

  @Override
  public void failed(ImageId id, FillFailureReason reason) {
    counters.fillFailed(reason);
  }

  @Override
  public void ended(FillProgress last, Duration took) {
    try {
      endHook.accept(last.imageId());
    } finally {
      endObserver.accept(last, took);
    }
  }

  /** Tells {@code hook} (quick, non-blocking) the image of every fill's end, besides the observer. */
  public void hookEnds(Consumer<ImageId> hook) {
    this.endHook = Objects.requireNonNull(hook, "hook");
  }

  /** Tells {@code observer} (quick, non-blocking) of every fill's end from now on, instead of the last one. */
  public void observeEnds(BiConsumer<FillProgress, Duration> observer) {
    this.endObserver = Objects.requireNonNull(observer, "observer");
  }
}
