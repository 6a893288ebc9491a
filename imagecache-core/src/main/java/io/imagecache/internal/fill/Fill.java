package io.imagecache.internal.fill;

import static java.nio.file.StandardOpenOption.READ;

import io.imagecache.CachedImage;
import io.imagecache.FillCancelledException;
import io.imagecache.FillFailureReason;
import io.imagecache.FillProgress.State;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.store.CacheWriter;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.ContentMismatchException;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.internal.store.NoSpaceLeft;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fill of one image: the single copy of the origin's bytes into the cache, shared by every
 * caller that asked for the image while it runs.
 *
 * <pre>
 * Design
 * ======
 * States.  OPENING   the source has not answered yet (no file exists)
 *          RUNNING   the writer exists; bytes are copied from the body into incomplete/&lt;id&gt;
 *          COMMITTED the writer verified size and digests and renamed the file to
 *                    &lt;dir&gt;/&lt;id&gt;
 *          FAILED    the source failed, the body was short, a digest differed, the copy or the
 *                    commit failed, or the fill was cancelled; the file is in invalid/, or
 *                    deleted when the fill failed for lack of space (see forLackOfSpace)
 *   OPENING -&gt; RUNNING -&gt; COMMITTED | FAILED, and OPENING -&gt; FAILED. A fill that finds the
 *   image committed already (a fill that just ended) goes OPENING -&gt; COMMITTED without asking
 *   the source, so a miss that races with a commit never fetches the image twice.
 *
 * Threads.  run() executes on one executor thread, the fill thread. It alone reads the body and
 *   touches the CacheWriter (which is not thread-safe). Any thread may call the public methods.
 *   The copy never waits for a reader: readers follow the file on disk with awaitBytes() and
 *   their own channels, so the fill runs at source/disk speed however slow its readers are, and
 *   a reader going away changes nothing.
 *
 * Locks (order: fileLock before stateLock; no code takes fileLock while holding stateLock).
 *   stateLock guards state, expectedSize, response, failure, cancelReason, committing, finalSize
 *     and waiters (the ByteWaiters queue, which has no lock of its own), and every write of
 *     bytesWritten. It is held only to read or write those fields: never for I/O, never while a
 *     future is completed.
 *   fileLock guards file (where the bytes are now: incomplete/&lt;id&gt;, then
 *     &lt;dir&gt;/&lt;id&gt;, or nothing after a failure) and the moments the file moves: the
 *     writer's commit rename and its abort to invalid/ happen under it, and openChannel() opens
 *     under it, so a reader never opens a path that is moving. Once open, a channel stays valid
 *     across the rename, the move to invalid/ and even a later delete. When durable, the fill
 *     forces the file before taking the lock, so the writer's own force inside commit finds
 *     little left to do and the lock is held for the rename and the metadata record only.
 *   bytesWritten is volatile too, for lock-free reads; it only grows.
 *
 * Waiters.  awaitBytes() registers (position, future) in waiters, a ByteWaiters queue ordered by
 *   position; each chunk written drains the waiters it satisfies, and the end of the fill (or
 *   cancel()) drains them all. Registering and draining happen under stateLock, atomically with
 *   state and bytesWritten; the drained futures are completed after the lock is released,
 *   because completing a future runs its dependent stages on the completing thread: they are the
 *   caller's code (a network write, another cache call) that may block, take other locks or call
 *   back into this fill, which under stateLock could deadlock or stall the copy.
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
 *   caller retrying after a failure starts a fresh fill), then moves to COMMITTED or FAILED, tells the FillListener (a commit, or a
 *   failure with its FillFailureReason) and completes the futures. cancel() moves to FAILED at
 *   once and fails every waiter; the fill thread notices at the next chunk (closing the source
 *   response unblocks a blocked read) and aborts the writer. Once the fill has started
 *   committing, cancel() has no effect: the outcome is the commit's.
 * </pre>
 */
public final class Fill {
  private static final Logger LOG = LoggerFactory.getLogger(Fill.class);

  private final ImageId imageId;
  private final ImageSource source;
  private final FillEnvironment environment;
  private final Instant startedAt;

  private final ReadOnlyFuture<ExpectedContent> opened = new ReadOnlyFuture<>();
  private final ReadOnlyFuture<CachedImage> completion = new ReadOnlyFuture<>();
  /** Completes when this fill can no longer hold a writer; see {@link #requestCancel}. */
  private final ReadOnlyFuture<Void> writerReleased = new ReadOnlyFuture<>();
  /**
   * Completes when the fill this one replaced can no longer hold a writer; this fill runs only
   * after that, and its own {@link #writerReleased} never completes before it.
   */
  private final CompletableFuture<Void> predecessorReleased;

  /** Guards the fields marked "stateLock"; see the design note. Order: after fileLock. */
  private final Object stateLock = new Object();
  /** Guards {@link #file} and the file's moves; see the design note. Order: before stateLock. */
  private final Object fileLock = new Object();

  /** stateLock. */
  private State state = State.OPENING;
  /** stateLock. */
  private OptionalLong expectedSize = OptionalLong.empty();
  /** stateLock. The source's answer (null before it came); cancel closes it to unblock a read. */
  private SourceResponse response;
  /** stateLock. Why the fill failed (null unless FAILED). */
  private Throwable failure;
  /** stateLock. Set by cancel(); the fill thread stops at its next check. */
  private String cancelReason;
  /** stateLock. Set by the fill thread as it starts committing; cancel() gives up from then on. */
  private boolean committing;
  /** stateLock. The committed size (valid when COMMITTED). */
  private long finalSize;
  /** stateLock. Readers waiting for bytes beyond a position, lowest position first. */
  private final ByteWaiters waiters = new ByteWaiters();

  /** Bytes on disk; written by the fill thread under stateLock, read anywhere (volatile). */
  private volatile long bytesWritten;

  /** fileLock. Where the bytes are now; null before the writer exists and after a failure. */
  private Path file;

  /**
   * A fill that starts only once {@code predecessorReleased} completed: the writer of the
   * cancelled fill it replaces is closed (completed already when it replaces none).
   */
  Fill(ImageId imageId, ImageSource source, FillEnvironment environment,
      CompletableFuture<Void> predecessorReleased) {
    this.imageId = Objects.requireNonNull(imageId, "imageId");
    this.source = Objects.requireNonNull(source, "source");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.predecessorReleased =
        Objects.requireNonNull(predecessorReleased, "predecessorReleased");
    this.startedAt = environment.clock().instant();
  }

  /** The image this fill caches. */
  public ImageId imageId() {
    return imageId;
  }

  /** Completes with what the bytes must be once the source answered, or with its failure. */
  public CompletableFuture<ExpectedContent> opened() {
    return opened;
  }

  /** Bytes on disk so far; every byte below this offset can be read from {@link #openChannel()}. */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** The current state. */
  public State state() {
    synchronized (stateLock) {
      return state;
    }
  }

  /**
   * Completes with the current {@link #bytesWritten()} once it exceeds {@code position}; with the
   * final size once the fill committed, even when that is not beyond {@code position} (the end of
   * the image); exceptionally with the fill's failure. Dependent stages run on the thread that
   * completes the future, often the fill thread: hand real work to another executor.
   */
  public CompletableFuture<Long> awaitBytes(long position) {
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0: " + position);
    }
    long available;
    Throwable failed;
    synchronized (stateLock) {
      switch (state) {
        case COMMITTED:
          available = finalSize;
          failed = null;
          break;
        case FAILED:
          available = -1;
          failed = failure;
          break;
        default:
          if (bytesWritten <= position) {
            return waiters.register(position);
          }
          available = bytesWritten;
          failed = null;
      }
    }
    return failed == null
        ? CompletableFuture.completedFuture(available)
        : CompletableFuture.failedFuture(failed);
  }

  /**
   * Opens a read channel on the image's file: the growing incomplete file while the fill runs,
   * the committed file afterwards. The channel stays valid when the file is renamed or moved to
   * {@code invalid/}; a reader learns how far it may read from {@link #awaitBytes}. Blocks while
   * the file is being moved (briefly). The caller closes the channel.
   *
   * @throws IOException when the fill failed or the file cannot be opened
   * @throws IllegalStateException before {@link #opened()} completed
   */
  public FileChannel openChannel() throws IOException {
    synchronized (fileLock) {
      synchronized (stateLock) {
        if (state == State.FAILED) {
          throw new IOException(
              "fill of image " + imageId + " failed: " + failure.getMessage(), failure);
        }
      }
      if (file == null) {
        throw new IllegalStateException(
            "fill of image " + imageId + " has no file yet: wait for opened()");
      }
      return FileChannel.open(file, READ);
    }
  }

  /** Completes with the committed image, or exceptionally with why nothing was cached. */
  public CompletableFuture<CachedImage> completion() {
    return completion;
  }

  /**
   * Stops the fill: waiters fail with {@link FillCancelledException} at once, the copy stops and
   * the writer aborts to {@code invalid/} shortly after, on the fill thread. No effect once the
   * fill ended or started committing.
   */
  public void cancel(String reason) {
    requestCancel(reason);
  }

  /** How many readers wait in {@link #awaitBytes} for bytes that are not written yet. */
  public int waitingReaders() {
    synchronized (stateLock) {
      return waiters.size();
    }
  }

  /** A snapshot of this fill's progress. */
  public FillProgress progress() {
    synchronized (stateLock) {
      return new FillProgress(imageId, state, bytesWritten, expectedSize, startedAt);
    }
  }

  @Override
  public String toString() {
    FillProgress progress = progress();
    return "Fill[" + imageId + " " + progress.state() + " " + progress.bytesWritten() + " bytes]";
  }

  // ---- used by the registry ------------------------------------------------------------------

  /**
   * Cancels as {@link #cancel} does and returns a future that completes once this fill can no
   * longer hold a writer: at once when the source had not answered yet (the fill will never open
   * one), else when the fill thread has aborted it (or committed, when cancelling was too late).
   */
  CompletableFuture<Void> requestCancel(String reason) {
    Objects.requireNonNull(reason, "reason");
    FillCancelledException cancelled = new FillCancelledException(imageId, reason);
    ByteWaiters.Drained drained;
    SourceResponse toClose;
    synchronized (stateLock) {
      if (state == State.COMMITTED || state == State.FAILED || committing) {
        return writerReleased;
      }
      cancelReason = reason;
      state = State.FAILED;
      failure = cancelled;
      drained = waiters.drainAll();
      toClose = response;
    }
    LOG.info("fill of {} cancelled: {}", imageId, reason);
    failAll(drained, cancelled);
    if (toClose == null) {
      // The source has not answered: attach() will refuse its answer, so no writer of this fill
      // can appear. The fill it replaced may still hold one (this fill waits to start until it
      // does not): a fill replacing this one must wait for that writer too.
      predecessorReleased.whenComplete((ignored, error) -> writerReleased.settle(null));
    } else {
      closeQuietly(toClose);
    }
    return writerReleased;
  }

  /** Whether {@link #cancel} was called before the fill ended. */
  boolean cancelRequested() {
    synchronized (stateLock) {
      return cancelReason != null;
    }
  }

  /**
   * Whether a new caller may join this fill: it is neither cancelled nor failed (a failed fill
   * stays registered until its end, and a caller then starts a fresh one instead).
   */
  boolean joinable() {
    synchronized (stateLock) {
      return cancelReason == null && state != State.FAILED;
    }
  }

  /** Completes when this fill can no longer hold a writer. */
  CompletableFuture<Void> writerReleased() {
    return writerReleased;
  }

  /** The executor refused to run this fill: it fails with {@code cause} without starting. */
  void failToStart(Throwable cause, Runnable onEnd) {
    end(null, false, cause, FillFailureReason.CANCELLED, onEnd);
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
      throwIfCancelled();
      Optional<CachedImage> existing = committedAlready();
      if (existing.isPresent()) {
        committed = existing.get();
        synchronized (fileLock) {
          file = committedFile();
        }
        opened.settle(expectedOf(committed));
      } else {
        step = FillFailureReason.ORIGIN;
        tell(listener -> listener.originFetchStarted(imageId));
        answered = source.open();
        attach(answered);
        expected = Objects.requireNonNull(answered.expected(), "SourceResponse.expected()");
        step = FillFailureReason.DISK;
        reservation = Objects.requireNonNull(
            environment.admission().admit(imageId, expected), "FillAdmission.admit()");
        writer = environment.driver().openForWrite(imageId, expected).orElseThrow(
            () -> new IllegalStateException(
                "another writer of image " + imageId + " is open outside the fill registry"));
        running(writer, expected);
        opened.settle(expected);
        step = null;
        copy.copy(answered.body(), writer, reservation, new BodyCopy.Progress() {
          @Override
          public void bytesRead(int count) {
            tell(listener -> listener.originBytesRead(imageId, count));
          }

          @Override
          public void published(long total) throws IOException {
            advance(total);
          }
        });
        step = FillFailureReason.DISK;
        closeQuietly(answered);
        if (environment.durable()) {
          // Before fileLock: the writer's own force inside commit then finds little to do.
          writer.force();
        }
        claimCommit();
        synchronized (fileLock) {
          committed = writer.commit();
          file = committedFile();
        }
        written = true;
      }
    } catch (Throwable t) {
      error = t;
      failureReason = FillFailures.classify(t, step == null ? copy.failedStep() : step);
    } finally {
      if (answered != null) {
        closeQuietly(answered);
      }
      if (writer != null) {
        closeWriter(writer, committed, error);
      }
      if (reservation != null) {
        reservation.release();
      }
      end(committed, written, error, failureReason, onEnd);
    }
  }

  // ---- the fill thread's steps ---------------------------------------------------------------

  private Optional<CachedImage> committedAlready() throws IOException {
    if (!environment.driver().isCached(imageId)) {
      return Optional.empty();
    }
    return environment.driver().cachedImage(imageId);
  }

  /** Keeps the source's answer so that cancel() can close it; refuses it if cancelled already. */
  private void attach(SourceResponse answer) throws IOException {
    synchronized (stateLock) {
      if (cancelReason == null) {
        response = answer;
        return;
      }
    }
    throwIfCancelled();
  }

  private void running(CacheWriter writer, ExpectedContent expected) throws IOException {
    synchronized (fileLock) {
      file = writer.file();
    }
    synchronized (stateLock) {
      if (cancelReason == null) {
        state = State.RUNNING;
        expectedSize = expected.size();
        return;
      }
    }
    throwIfCancelled();
  }

  /** Publishes {@code total} bytes on disk and wakes the waiters it satisfies. */
  private void advance(long total) throws IOException {
    ByteWaiters.Drained ready;
    synchronized (stateLock) {
      if (cancelReason != null) {
        ready = null;
      } else {
        bytesWritten = total;
        ready = waiters.drainBelow(total);
      }
    }
    if (ready == null) {
      throwIfCancelled();
      return;
    }
    ready.complete(total);
  }

  private void claimCommit() throws IOException {
    synchronized (stateLock) {
      if (cancelReason == null) {
        committing = true;
        return;
      }
    }
    throwIfCancelled();
  }

  private void closeWriter(CacheWriter writer, CachedImage committed, Throwable error) {
    String reason;
    synchronized (stateLock) {
      // A cancelled copy usually ends in the read that closing the response broke: say why.
      reason = cancelReason != null ? "fill cancelled: " + cancelReason
          : error == null ? "fill ended without a commit" : Throwables.describe(error);
    }
    synchronized (fileLock) {
      try {
        if (committed == null) {
          if (FillFailures.forLackOfSpace(error)) {
            writer.discard(reason);
          } else {
            writer.abort(reason);
          }
          // FAILED before the file is gone, in one step under fileLock: a reader that opens
          // (openChannel) sees the file or the failure, never a fill without either.
          synchronized (stateLock) {
            if (state != State.FAILED) {
              state = State.FAILED;
              failure = error == null
                  ? new IllegalStateException("fill ended without a commit") : error;
            }
          }
          file = null;
        }
        writer.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the writer of {} failed", imageId, e);
      }
    }
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
    ByteWaiters.Drained drained;
    boolean cancelledBefore;
    Throwable outcome;
    long size = 0;
    synchronized (stateLock) {
      cancelledBefore = cancelReason != null;
      if (state == State.FAILED) {
        // Cancelled, or failed as closeWriter aborted the writer.
        outcome = failure;
      } else if (committed != null) {
        state = State.COMMITTED;
        size = committed.size();
        finalSize = size;
        bytesWritten = size;
        outcome = null;
      } else {
        state = State.FAILED;
        failure = error == null ? new IllegalStateException("fill ended without a commit") : error;
        outcome = failure;
      }
      drained = waiters.drainAll();
    }
    writerReleased.settle(null);
    Duration took = Duration.between(startedAt, environment.clock().instant());
    if (outcome == null) {
      LOG.info("fill of {} committed: {} bytes in {} ms", imageId, size, took.toMillis());
      if (written) {
        tell(listener -> listener.committed(committed));
      }
      drained.complete(size);
      opened.settle(expectedOf(committed));
      completion.settle(committed);
    } else {
      if (outcome instanceof NotCacheableException) {
        LOG.info("fill of {} refused: {}", imageId, Throwables.describe(outcome));
      } else if (!cancelledBefore) {
        LOG.warn("fill of {} failed after {} bytes: {}", imageId, bytesWritten,
            Throwables.describe(outcome));
      }
      FillFailureReason reason = cancelledBefore ? FillFailureReason.CANCELLED : failureReason;
      tell(listener -> listener.failed(imageId, reason));
      failAll(drained, outcome);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Tells the listener of an event; a listener's failure is logged, never the fill's. */
  private void tell(Consumer<FillListener> event) {
    try {
      event.accept(environment.listener());
    } catch (RuntimeException e) {
      LOG.warn("the fill listener failed on an event of image {}", imageId, e);
    }
  }

  private void throwIfCancelled() throws IOException {
    Throwable cancelled;
    synchronized (stateLock) {
      cancelled = cancelReason == null ? null : failure;
    }
    if (cancelled instanceof IOException) {
      throw (IOException) cancelled;
    }
  }

  /** Fails the given waiters and both public futures; outside every lock. */
  private void failAll(ByteWaiters.Drained drained, Throwable cause) {
    drained.fail(cause);
    opened.settleExceptionally(cause);
    completion.settleExceptionally(cause);
  }

  private Path committedFile() {
    return environment.layout().committed(imageId);
  }

  /** What a committed image's bytes are: its size and, when recorded, its MD5. */
  private static ExpectedContent expectedOf(CachedImage image) {
    List<ContentDigest> digests = new ArrayList<>();
    image.checksum().ifPresent(md5 -> {
      try {
        digests.add(new ContentDigest(DigestAlgorithm.MD5, md5));
      } catch (IllegalArgumentException e) {
        LOG.debug("ignoring the malformed checksum of {}: {}", image.imageId(), e.getMessage());
      }
    });
    return new ExpectedContent(OptionalLong.of(image.size()), digests);
  }

  private void closeQuietly(SourceResponse toClose) {
    try {
      toClose.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the source response of {} failed", imageId, e);
    }
  }
}
