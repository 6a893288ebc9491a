package io.imagecache.internal.fill;

import java.io.IOException;

/**
 * Where a fill gets an image's bytes from: asked once per fill, on the fill's thread, so it may
 * block. Whatever {@link #open()} throws (e.g. an origin's "no such image") reaches every waiter of
 * the fill unchanged.
 */
@FunctionalInterface
public interface ImageSource {

  /** Asks the origin for the image and returns its answer; the fill closes it. */
  SourceResponse open() throws IOException;
}
