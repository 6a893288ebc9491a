package io.imagecache;

import java.io.IOException;
import java.util.Objects;

/** The origin refused the request for lack of (valid) credentials. */
public final class OriginAccessDeniedException extends IOException {
  /** Why the origin refused. */
  public enum Reason {
    /** It did not accept the credential (or there was none). */
    UNAUTHENTICATED,
    /** It accepted the credential but does not let its holder read the image. */
    FORBIDDEN
  }

  private final ImageId imageId;
  private final Reason reason;

  /**
   * @param originAnswer what the origin answered, for the message (e.g. {@code HTTP 401})
   */
  public OriginAccessDeniedException(ImageId imageId, Reason reason, String originAnswer) {
    super("origin denied access to image " + Objects.requireNonNull(imageId, "imageId")
        + " (" + originAnswer + ")");
    this.imageId = imageId;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The image that was asked for. */
  public ImageId imageId() {
    return imageId;
  }

  /** Why the origin refused. */
  public Reason reason() {
    return reason;
  }
}
