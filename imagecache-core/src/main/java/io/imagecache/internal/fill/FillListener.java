package io.imagecache.internal.fill;

import io.imagecache.CachedImage;
import io.imagecache.FillFailureReason;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import java.time.Duration;

/**
 * Told what the fills of a {@link FillRegistry} do, for counters and for work after a commit.
 * Called on fill threads, before the fill's futures complete: an implementation must be quick,
 * must not block and should not throw (a failure is logged and ignored).
 */
interface FillListener {

  /** Listens to nothing. */
  FillListener NONE = new FillListener() {};

  /**
   * A fill fetched the image from its origin: told once, at the first byte from the origin, or
   * when the fill ends after asking its source without a byte from a peer.
   */
  default void originFetch(ImageId id) {}

  /** A fill read {@code bytes} more bytes of the image's body from its source. */
  default void originBytesRead(ImageId id, long bytes) {}

  /** {@code bytes} more of the body were read from a peer of the fleet. */
  default void peerBytesRead(ImageId id, long bytes) {}

  /** A fill wrote and committed {@code image} (not counted: a fill that found it committed). */
  default void committed(CachedImage image) {}

  /** A fill ended without caching its image, for {@code reason}. */
  default void failed(ImageId id, FillFailureReason reason) {}

  /**
   * A fill ended, after {@link #committed} or {@link #failed}, {@code took} after its start;
   * {@code last} is its final state ({@code COMMITTED} or {@code FAILED}). Not told of a fill that
   * found its image committed without writing it.
   */
  default void ended(FillProgress last, Duration took) {}
}
