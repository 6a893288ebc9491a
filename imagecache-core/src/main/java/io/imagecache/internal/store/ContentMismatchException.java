package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;

/** A write did not match what was expected (size or a digest); nothing was committed. */
public class ContentMismatchException extends IOException {
  private final ImageId imageId;

  public ContentMismatchException(ImageId imageId, String reason) {
    super("image " + imageId + " not cached: " + reason);
    this.imageId = imageId;
  }

  public ImageId imageId() {
    return imageId;
  }
}
