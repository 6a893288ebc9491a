package io.imagecache.internal.fill;

import io.imagecache.ImageId;
import io.imagecache.internal.store.ExpectedContent;

/**
 * Decides, once the source has answered and before anything is written, whether a fill may cache
 * the image. A refused fill fails with {@link NotCacheableException} and writes nothing; its
 * callers serve the image another way (streamed through from the origin).
 */
@FunctionalInterface
interface FillAdmission {

  /** Admits everything. */
  FillAdmission ALL = (id, expected) -> () -> {};

  /**
   * Admits the fill of {@code id} or throws. The returned reservation is released exactly once,
   * when the fill has ended (committed or failed).
   *
   * @throws NotCacheableException when the image must not be cached, with the reason
   */
  Reservation admit(ImageId id, ExpectedContent expected) throws NotCacheableException;

  /** Whatever an admission holds for a fill (reserved bytes, say) until the fill ends. */
  @FunctionalInterface
  interface Reservation {
    /** Gives back what the fill held; called once, when the fill has ended. */
    void release();

    /**
     * Told the fill's size on disk after each chunk it wrote, before readers may see the chunk.
     * May block while room is made for the fill (another fill giving way, a prune).
     *
     * @throws NotCacheableException when the fill may not grow that large (it then fails, and
     *     its bytes are deleted)
     */
    default void grown(long bytesWritten) throws NotCacheableException {}
  }
}
