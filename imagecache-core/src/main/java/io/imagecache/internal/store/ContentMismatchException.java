package io.imagecache.internal.store;

import io.imagecache.ImageId;
import java.io.IOException;

/** Received bytes did not match what was expected (size or a digest); see {@link ContentCheck}. */
public class ContentMismatchException extends IOException {
  /** What differed. */
  public enum Kind {
    /** Fewer bytes than the expected size. */
    TOO_SHORT,
    /** More bytes than the expected size. */
    TOO_LONG,
    /** The expected size (if any) matched, a digest did not. */
    DIGEST
  }

  private final ImageId imageId;
  private final Kind kind;
  private final String reason;

  public ContentMismatchException(ImageId imageId, Kind kind, String reason) {
    super("image " + imageId + ": " + reason);
    this.imageId = imageId;
    this.kind = kind;
    this.reason = reason;
  }

  public ImageId imageId() {
    return imageId;
  }

  /** What differed. */
  public Kind kind() {
    return kind;
  }

  /** What differed, in words, without the image id. */
  public String reason() {
    return reason;
  }
}
