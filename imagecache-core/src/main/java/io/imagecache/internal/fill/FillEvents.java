package io.imagecache.internal.fill;

import io.imagecache.CachedImage;
import io.imagecache.FillFailureReason;
import io.imagecache.ImageId;
import io.imagecache.internal.CacheCounters;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The facade's ear on its fills: counts their origin fetches, bytes, commits and failures, and
 * asks for the automatic size check after each commit. Quick and non-blocking, as
 * {@link FillListener} requires.
 */
public final class FillEvents implements FillListener {
  private final CacheCounters counters;
  private final LongConsumer afterCommit;

  /**
   * Counts into {@code counters}; gives each commit's size to {@code afterCommit}, which must not
   * block.
   */
  public FillEvents(CacheCounters counters, LongConsumer afterCommit) {
    this.counters = Objects.requireNonNull(counters, "counters");
    this.afterCommit = Objects.requireNonNull(afterCommit, "afterCommit");
  }

  @Override
  public void originFetchStarted(ImageId id) {
    counters.originFetchStarted();
  }

  @Override
  public void originBytesRead(ImageId id, long bytes) {
    counters.originBytesRead(bytes);
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
}
