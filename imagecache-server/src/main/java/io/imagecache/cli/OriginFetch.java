package io.imagecache.cli;

import io.imagecache.OriginConfig;
import java.util.Objects;

/**
 * How {@code serve} fetches an image body from the origin: which offered digests it verifies, and
 * how often one fill resumes a broken body with a range request (0: never).
 */
public record OriginFetch(OriginConfig.Verify verify, int resumeAttempts) {
  /** Upper bound for {@link #resumeAttempts}, far beyond any useful value. */
  public static final int MAX_RESUME_ATTEMPTS = 1000;
  /** Verify the strongest digest, resume up to {@link OriginConfig#DEFAULT_RESUME_ATTEMPTS} times. */
  public static final OriginFetch DEFAULT =
      new OriginFetch(OriginConfig.Verify.STRONGEST, OriginConfig.DEFAULT_RESUME_ATTEMPTS);

  public OriginFetch {
    Objects.requireNonNull(verify, "verify");
    if (resumeAttempts < 0 || resumeAttempts > MAX_RESUME_ATTEMPTS) {
      throw new IllegalArgumentException(
          "origin resume attempts must be 0 to " + MAX_RESUME_ATTEMPTS + ": " + resumeAttempts);
    }
  }
}
