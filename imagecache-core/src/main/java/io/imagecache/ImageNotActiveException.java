package io.imagecache;

import java.io.IOException;
import java.util.Objects;

/** The origin knows the image but it is not {@code active} (e.g. queued, deactivated), so it is never served. */
public class ImageNotActiveException extends IOException {
  private final ImageId imageId;
  private final String status;

  public ImageNotActiveException(ImageId imageId, String status) {
    super("image " + Objects.requireNonNull(imageId, "imageId") + " is not active at the origin"
        + " (status " + Objects.requireNonNull(status, "status") + ")");
    this.imageId = imageId;
    this.status = status;
  }

  /** The image that was asked for. */
  public ImageId imageId() {
    return imageId;
  }

  /** The origin's status for the image, e.g. {@code queued} or {@code deactivated}. */
  public String status() {
    return status;
  }
}
