package io.imagecache;

import java.io.IOException;
import java.util.Objects;

/** The origin has no image with this id, or does not let the caller see it (Glance answers 404 for both). */
public class ImageNotFoundException extends IOException {
  private final ImageId imageId;

  public ImageNotFoundException(ImageId imageId) {
    super("image " + Objects.requireNonNull(imageId, "imageId") + " not found at the origin");
    this.imageId = imageId;
  }

  /** The image that was asked for. */
  public ImageId imageId() {
    return imageId;
  }
}
