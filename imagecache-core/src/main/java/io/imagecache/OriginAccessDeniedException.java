package io.imagecache;

import java.io.IOException;
import java.util.Objects;

/** The origin refused the request for lack of (valid) credentials: it answered 401 or 403. */
public class OriginAccessDeniedException extends IOException {
  private final ImageId imageId;
  private final int status;

  public OriginAccessDeniedException(ImageId imageId, int status) {
    super("origin denied access to image " + Objects.requireNonNull(imageId, "imageId")
        + " (HTTP " + status + ")");
    if (status != 401 && status != 403) {
      throw new IllegalArgumentException("access denied status must be 401 or 403, not " + status);
    }
    this.imageId = imageId;
    this.status = status;
  }

  /** The image that was asked for. */
  public ImageId imageId() {
    return imageId;
  }

  /** The origin's HTTP status: 401 (not authenticated) or 403 (not allowed). */
  public int status() {
    return status;
  }
}
