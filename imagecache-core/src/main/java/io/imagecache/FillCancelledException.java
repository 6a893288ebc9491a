package io.imagecache;

import java.io.IOException;

/** A fill was cancelled (image deleted, cache closing, a caller's request); nothing was cached. */
public class FillCancelledException extends IOException {
  private final ImageId imageId;
  private final String reason;

  public FillCancelledException(ImageId imageId, String reason) {
    super("fill of image " + imageId + " cancelled: " + reason);
    this.imageId = imageId;
    this.reason = reason;
  }

  /** Why the fill was cancelled, as the canceller said it (a sentence for a client). */
  public String reason() {
    return reason;
  }

  public ImageId imageId() {
    return imageId;
  }
}
