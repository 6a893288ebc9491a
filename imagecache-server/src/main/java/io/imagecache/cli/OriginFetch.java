package io.imagecache.cli;

import io.imagecache.OriginConfig;
import java.util.Objects;

/**
 * How {@code serve} fetches an image body from the origin: which offered digests it verifies, how
 * often one fill resumes a broken body with a range request (0: never), and over how many
 * connections at once it fetches a large image in segments (1: one).
 */
public record OriginFetch(OriginConfig.Verify verify, int resumeAttempts, int connections) {
  /** Upper bound for {@link #resumeAttempts}, far beyond any useful value. */
  public static final int MAX_RESUME_ATTEMPTS = 1000;
  /** Upper bound for {@link #connections}. */
  public static final int MAX_CONNECTIONS = 16;
  /**
   * Verify the strongest digest, resume up to {@link OriginConfig#DEFAULT_RESUME_ATTEMPTS} times,
   * one connection.
   */
  public static final OriginFetch DEFAULT =
      new OriginFetch(OriginConfig.Verify.STRONGEST, OriginConfig.DEFAULT_RESUME_ATTEMPTS, 1);

  public OriginFetch {
    Objects.requireNonNull(verify, "verify");
    if (resumeAttempts < 0 || resumeAttempts > MAX_RESUME_ATTEMPTS) {
      throw new IllegalArgumentException(
          "origin resume attempts must be 0 to " + MAX_RESUME_ATTEMPTS + ": " + resumeAttempts);
    }
    if (connections < 1 || connections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "origin connections must be 1 to " + MAX_CONNECTIONS + ": " + connections);
    }
  }

  /** Over one connection. */
  public OriginFetch(OriginConfig.Verify verify, int resumeAttempts) {
    this(verify, resumeAttempts, 1);
  }
}
