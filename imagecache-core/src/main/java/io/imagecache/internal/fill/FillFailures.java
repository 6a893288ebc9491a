package io.imagecache.internal.fill;

import io.imagecache.FillCancelledException;
import io.imagecache.FillFailureReason;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.NoSpaceLeft;

/**
 * What a failed fill is counted as ({@link FillFailureReason}, for metrics) and what happens to
 * its bytes (kept in {@code invalid/} as evidence, or deleted for lack of space).
 */
final class FillFailures {
  private FillFailures() {}

  /**
   * What a failure is counted as: a refusal, a cancellation or a content mismatch by its kind
   * (a short body is truncated, a long one the wrong size, else a digest differed), any other
   * error by the {@code step} it happened in.
   */
  static FillFailureReason classify(Throwable error, FillFailureReason step) {
    if (error instanceof NotCacheableException) {
      return FillFailureReason.REFUSED;
    }
    if (error instanceof FillCancelledException) {
      return FillFailureReason.CANCELLED;
    }
    if (error instanceof ContentMismatchException mismatch) {
      return switch (mismatch.kind()) {
        case TOO_SHORT -> FillFailureReason.TRUNCATED;
        case TOO_LONG -> FillFailureReason.SIZE;
        case DIGEST -> FillFailureReason.DIGEST;
      };
    }
    return step;
  }

  /**
   * Whether a fill failed for lack of space: refused more room by its admission, or out of disk
   * (or store) space. Its bytes are deleted rather than kept in {@code invalid/}: they are no
   * evidence of anything, and the space is wanted now.
   */
  static boolean forLackOfSpace(Throwable error) {
    return error instanceof NotCacheableException || NoSpaceLeft.causedBy(error);
  }
}
