package io.imagecache.driver;

import io.imagecache.ImageId;
import java.io.IOException;

/** Received bytes did not match what was expected (size or a digest); see {@link ContentCheck}. */
public class ContentMismatchException extends IOException {
  private final ImageId imageId;
  private final String reason;

  public ContentMismatchException(ImageId imageId, String reason) {
    super("image " + imageId + ": " + reason);
    this.imageId = imageId;
    this.reason = reason;
  }

  public ImageId imageId() {
    return imageId;
  }

  /** What differed, without the image id. */
  public String reason() {
    return reason;
  }
}
