package io.imagecache;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A snapshot of one fill.
 *
 * @param imageId the image being filled
 * @param state where the fill is in its life
 * @param bytesWritten bytes on disk so far
 * @param expectedSize the size the origin announced, when it did
 * @param startedAt when the fill was started
 */
public record FillProgress(
    ImageId imageId, State state, long bytesWritten, OptionalLong expectedSize,
    Instant startedAt) {
  public FillProgress {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(expectedSize, "expectedSize");
    Objects.requireNonNull(startedAt, "startedAt");
    if (bytesWritten < 0) {
      throw new IllegalArgumentException("bytesWritten must be >= 0: " + bytesWritten);
    }
  }

  /** Where a fill is in its life; see the design note on {@code io.imagecache.internal.fill.Fill}. */
  public enum State {
    /** The source has not answered yet. */
    OPENING,
    /** Bytes are being copied into the incomplete file. */
    RUNNING,
    /** The image is cached. */
    COMMITTED,
    /** Nothing was cached. */
    FAILED
  }
}
