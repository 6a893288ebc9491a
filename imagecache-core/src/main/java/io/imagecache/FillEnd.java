package io.imagecache;

import java.time.Duration;
import java.util.Objects;

/**
 * How one fill that asked its source ended, whoever started it (an image request or a prefetch
 * worker), for duration and throughput metrics.
 *
 * @param imageId the image filled
 * @param committed whether it wrote and committed the image (false: it ended without caching it)
 * @param bytesWritten bytes on disk when it ended (the image's size when committed)
 * @param took from the fill's start to its end
 */
public record FillEnd(ImageId imageId, boolean committed, long bytesWritten, Duration took) {
  public FillEnd {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(took, "took");
    if (bytesWritten < 0) {
      throw new IllegalArgumentException("bytesWritten must be >= 0: " + bytesWritten);
    }
  }
}
