package io.imagecache.internal.fleet;

/**
 * This node's "I am filling this image" in the fleet: peers may stream from it while it is open.
 * {@link #progress} is cheap (it records the count; a background task writes it). Closing twice is
 * harmless.
 */
public interface FillAnnouncement extends AutoCloseable {

  /** Bytes of the image this node has written so far. */
  void progress(long bytes);

  /** The image's size, once the source has said it (an origin fill is announced before). */
  void size(long size);

  @Override
  void close();
}
