package io.imagecache;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one image the prefetch queue knows.
 *
 * @param imageId the image to prefetch
 * @param status where the prefetch is
 * @param attempts origin fetches started so far (0 while first waiting)
 * @param lastError why the last attempt failed; empty until one did
 * @param nextAttemptAt when the next attempt starts; present only while {@link Status#RETRYING}
 */
public record PrefetchState(
    ImageId imageId, Status status, int attempts, Optional<String> lastError,
    Optional<Instant> nextAttemptAt) {
  public PrefetchState {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0: " + attempts);
    }
    if (nextAttemptAt.isPresent() != (status == Status.RETRYING)) {
      throw new IllegalArgumentException(
          "nextAttemptAt is present exactly when the status is RETRYING, not " + status);
    }
    if (status == Status.FAILED && lastError.isEmpty()) {
      throw new IllegalArgumentException("a FAILED prefetch of " + imageId + " needs its error");
    }
  }

  /** Where a prefetch is in its life. */
  public enum Status {
    /** Waiting for a worker. */
    QUEUED,
    /** A worker is fetching it (or waiting for a fill of it that was running already). */
    FETCHING,
    /** The last attempt failed; the next one starts at {@code nextAttemptAt}. */
    RETRYING,
    /** Every attempt failed; kept, with its error, until removed from the queue or queued again. */
    FAILED
  }
}
