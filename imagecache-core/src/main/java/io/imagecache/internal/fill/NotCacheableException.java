package io.imagecache.internal.fill;

import io.imagecache.ImageId;
import java.io.IOException;

/** A fill was refused by its {@link FillAdmission}: the image is to be served without caching. */
public class NotCacheableException extends IOException {
  private final ImageId imageId;

  public NotCacheableException(ImageId imageId, String reason) {
    super("image " + imageId + " is not cached: " + reason);
    this.imageId = imageId;
  }

  public ImageId imageId() {
    return imageId;
  }
}
