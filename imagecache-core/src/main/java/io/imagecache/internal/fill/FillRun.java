package io.imagecache.internal.fill;

import io.imagecache.CachedImage;
import io.imagecache.FillFailureReason;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.store.CacheWriter;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fill thread's work for one {@link Fill}: ask the source, admit, copy, commit or abort, end.
 *
 * <pre>
 * Threads.  run() executes on one executor thread, the fill thread. It alone reads the body and
 *   touches the CacheWriter (which is not thread-safe). It takes no lock itself: every change of
 *   the fill's state or file goes through one of Fill's transitions (attach, running, advance,
 *   claimCommit, commit, closeWriter, finish), each atomic under Fill's locks, so the locking
 *   rules can be checked in Fill alone.
 *
 * Admission.  Once the source answered, the FillAdmission admits the fill (or refuses it before
 *   any file exists) and returns a Reservation, which is told the size after every chunk (it may
 *   reserve more for a fill of unknown size, waiting while a newer fill gives way, or stop one
 *   that outgrows the cache or must give way) and released when the fill ends, after the writer
 *   closed (so a fill that failed for lack of space has deleted its bytes by then).
 *
 * Ending.  The fill thread closes the writer (commit or abort; an abort moves the fill to FAILED
 *   under fileLock before the file is forgotten, so openChannel() finds the file or the
 *   failure), releases the reservation, then tells the registry (which removes the entry, so a
 *   caller retrying after a failure starts a fresh fill), then moves to COMMITTED or FAILED, tells
 *   the FillListener (a commit, or a failure with its FillFailureReason) and completes the
 *   futures. A cancelled fill notices at the next chunk (closing the source response unblocks a
 *   blocked read) and aborts the writer.
 * </pre>
 */
final class FillRun {
  /** Fill's logger: the fill thread's lines read as they did when this code was in Fill. */
  private static final Logger LOG = LoggerFactory.getLogger(Fill.class);

  private final Fill fill;
  private final ImageId imageId;
  private final ImageSource source;
  private final FillEnvironment environment;

  /** Whether the source was asked for the image; the fill thread only. */
  private boolean sourceAsked;
  /** Whether a byte came from a peer of the fleet; the fill thread only. */
  private boolean peerServed;
  /** Whether this fill was counted as an origin fetch; the fill thread only. */
  private boolean originCounted;

  FillRun(Fill fill, ImageSource source, FillEnvironment environment) {
    this.fill = Objects.requireNonNull(fill, "fill");
    this.imageId = fill.imageId();
    this.source = Objects.requireNonNull(source, "source");
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  /** The fill thread's body; {@code onEnd} runs after the writer closed, before any future. */
  void run(Runnable onEnd) {
    CachedImage committed = null;
    boolean written = false;
    Throwable error = null;
    ExpectedContent expected = null;
    CacheWriter writer = null;
    SourceResponse answered = null;
    FillFailureReason failureReason = FillFailureReason.DISK;
    FillAdmission.Reservation reservation = null;
    // What a failure is counted as: the step under way (origin, body, disk), refined by the error.
    FillFailureReason step = FillFailureReason.DISK;
    BodyCopy copy = new BodyCopy();
    try {
      fill.throwIfCancelled();
      Optional<CachedImage> existing = committedAlready();
      if (existing.isPresent()) {
        committed = existing.get();
        fill.foundCommitted(committed);
      } else {
        step = FillFailureReason.ORIGIN;
        sourceAsked = true;
        answered = source.open();
        fill.attach(answered);
        expected = Objects.requireNonNull(answered.expected(), "SourceResponse.expected()");
        step = FillFailureReason.DISK;
        reservation = Objects.requireNonNull(
            environment.admission().admit(imageId, expected), "FillAdmission.admit()");
        writer = environment.driver().openForWrite(imageId, expected).orElseThrow(
            () -> new IllegalStateException(
                "another writer of image " + imageId + " is open outside the fill registry"));
        fill.running(writer, expected);
        step = null;
        Optional<PeerAwareBody> fleetBody = Optional.of(answered.body())
            .filter(PeerAwareBody.class::isInstance).map(PeerAwareBody.class::cast);
        copy.copy(answered.body(), writer, reservation, new BodyCopy.Progress() {
          @Override
          public void bytesRead(long count) {
            if (fleetBody.isPresent() && fleetBody.get().lastReadFromPeer()) {
              peerServed = true;
              tell(listener -> listener.peerBytesRead(imageId, count));
            } else {
              countOriginFetch();
              tell(listener -> listener.originBytesRead(imageId, count));
            }
          }

          @Override
          public void published(long total) throws IOException {
            fill.advance(total);
          }
        });
        step = FillFailureReason.DISK;
        fill.closeQuietly(answered);
        if (environment.durable()) {
          // Before fileLock: the writer's own force inside commit then finds little to do.
          writer.force();
        }
        fill.claimCommit();
        committed = fill.commit(writer);
        written = true;
      }
    } catch (Throwable t) {
      error = t;
      failureReason = FillFailures.classify(t, step == null ? copy.failedStep() : step);
    } finally {
      if (answered != null) {
        fill.closeQuietly(answered);
      }
      if (writer != null) {
        fill.closeWriter(writer, committed, error);
      }
      if (reservation != null) {
        reservation.release();
      }
      if (sourceAsked && (!peerServed
          || (error != null && failureReason == FillFailureReason.ORIGIN))) {
        // Asked, and no peer answered: the origin was (an empty image, or a failure before a
        // byte); or the origin failed after peers had sent some bytes. So every origin failure
        // is also an origin fetch.
        countOriginFetch();
      }
      end(committed, written, error, failureReason, onEnd);
    }
  }

  /**
   * Counts this fill as an origin fetch, once: at its first byte from the origin, or at its end
   * when the source was asked and no peer sent a byte, so that a fleet node's fill a peer served
   * alone is not counted as one.
   */
  private void countOriginFetch() {
    if (!originCounted) {
      originCounted = true;
      tell(listener -> listener.originFetch(imageId));
    }
  }

  /** The executor refused to run the fill: it fails with {@code cause} without starting. */
  void failToStart(Throwable cause, Runnable onEnd) {
    end(null, false, cause, FillFailureReason.CANCELLED, onEnd);
  }

  private Optional<CachedImage> committedAlready() throws IOException {
    if (!environment.driver().isCached(imageId)) {
      return Optional.empty();
    }
    return environment.driver().cachedImage(imageId);
  }

  /**
   * The last step, on the fill thread (or the starting thread when the executor refused);
   * {@code written} says whether this fill wrote {@code committed} (not found it committed);
   * {@code failureReason} is what a failure is counted as unless the fill was cancelled.
   */
  private void end(CachedImage committed, boolean written, Throwable error,
      FillFailureReason failureReason, Runnable onEnd) {
    try {
      onEnd.run();
    } catch (RuntimeException e) {
      LOG.warn("ending the fill of {} in its registry failed", imageId, e);
    }
    Fill.Ending ending = fill.finish(committed, error);
    Duration took = Duration.between(fill.startedAt(), environment.clock().instant());
    Throwable outcome = ending.outcome();
    if (outcome == null) {
      LOG.info("fill of {} committed: {} bytes in {} ms", imageId, ending.size(), took.toMillis());
      if (written) {
        tell(listener -> listener.committed(committed));
        FillProgress last = new FillProgress(imageId, FillProgress.State.COMMITTED,
            ending.size(), OptionalLong.of(ending.size()), fill.startedAt());
        tell(listener -> listener.ended(last, took));
      }
      fill.settleCommitted(ending, committed);
    } else {
      if (outcome instanceof NotCacheableException) {
        LOG.info("fill of {} refused: {}", imageId, Throwables.describe(outcome));
      } else if (outcome instanceof ImageNotFoundException
          || outcome instanceof OriginAccessDeniedException) {
        // The client's answer (404, 401/403) says it; nothing is wrong with the cache or origin.
        LOG.info("fill of {} not started: {}", imageId, Throwables.describe(outcome));
      } else if (!ending.cancelledBefore()) {
        LOG.warn("fill of {} failed after {} bytes: {}", imageId, fill.bytesWritten(),
            Throwables.describe(outcome));
      }
      FillFailureReason reason =
          ending.cancelledBefore() ? FillFailureReason.CANCELLED : failureReason;
      tell(listener -> listener.failed(imageId, reason));
      FillProgress last = new FillProgress(imageId, FillProgress.State.FAILED,
          fill.bytesWritten(), OptionalLong.empty(), fill.startedAt());
      tell(listener -> listener.ended(last, took));
      fill.failAll(ending.drained(), outcome);
    }
  }

  /** Tells the listener of an event; a listener's failure is logged, never the fill's. */
  private void tell(Consumer<FillListener> event) {
    try {
      event.accept(environment.listener());
    } catch (RuntimeException e) {
      LOG.warn("the fill listener failed on an event of image {}", imageId, e);
    }
  }
}
