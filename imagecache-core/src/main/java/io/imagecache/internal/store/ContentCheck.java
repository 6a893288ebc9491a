package io.imagecache.internal.store;

import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.ImageId;
import java.util.Map;

/**
 * The one comparison of received bytes (their count and digests) with what was expected, used by
 * the cache writer and by the verified pass-through, so both find and word a mismatch alike.
 */
public final class ContentCheck {
  private ContentCheck() {}

  /**
   * Fails as soon as more bytes arrived than expected, before the content is complete.
   *
   * @throws ContentMismatchException when {@code received} exceeds the expected size
   */
  public static void checkNotTooLong(ImageId id, ExpectedContent expected, long received)
      throws ContentMismatchException {
    if (expected.size().isPresent() && received > expected.size().getAsLong()) {
      throw new ContentMismatchException(id, ContentMismatchException.Kind.TOO_LONG,
          "size mismatch: expected " + expected.size().getAsLong() + " bytes, received at least "
              + received);
    }
  }

  /**
   * Checks complete content: its size, then every expected digest against {@code computed}, which
   * holds a value for each expected algorithm.
   *
   * @throws ContentMismatchException naming the first thing that differs
   */
  public static void verify(ImageId id, ExpectedContent expected, long size,
      Map<DigestAlgorithm, byte[]> computed) throws ContentMismatchException {
    if (expected.size().isPresent() && expected.size().getAsLong() != size) {
      ContentMismatchException.Kind kind = size < expected.size().getAsLong()
          ? ContentMismatchException.Kind.TOO_SHORT
          : ContentMismatchException.Kind.TOO_LONG;
      throw new ContentMismatchException(id, kind, "size mismatch: expected "
          + expected.size().getAsLong() + " bytes, received " + size);
    }
    for (ContentDigest digest : expected.digests()) {
      ContentDigest actual = ContentDigest.of(digest.algorithm(), computed.get(digest.algorithm()));
      if (!actual.equals(digest)) {
        throw new ContentMismatchException(id, ContentMismatchException.Kind.DIGEST,
            digest.algorithm().glanceName() + " mismatch: expected " + digest.hex()
                + ", computed " + actual.hex());
      }
    }
  }
}
