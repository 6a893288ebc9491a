package io.imagecache.internal.fill;

import static java.nio.file.StandardOpenOption.READ;

import io.imagecache.CachedImage;
import io.imagecache.FillCancelledException;
import io.imagecache.FillProgress.State;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.internal.Throwables;
import io.imagecache.internal.store.CacheWriter;
import io.imagecache.internal.store.ContentDigest;
import io.imagecache.internal.store.DigestAlgorithm;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
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
 * Threads.  The fill thread (FillRun) alone reads the body and touches the CacheWriter; it
 *   changes this fill only through the package-private transitions below, each of which takes
 *   the locks itself, so every lock of a fill is taken in this file. Any thread may call the
 *   public methods. The copy never waits for a reader: readers follow the file on disk with
 *   awaitBytes() and their own channels, so the fill runs at source/disk speed however slow its
 *   readers are, and a reader going away changes nothing.
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
 * Cancelling.  cancel() moves to FAILED at once and fails every waiter; the fill thread notices
 *   at its next transition (closing the source response unblocks a blocked read) and aborts the
 *   writer. Once the fill has started committing (claimCommit), cancel() has no effect: the
 *   outcome is the commit's. Admission and the order of the ending steps: see FillRun.
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
    new FillRun(this, source, environment).failToStart(cause, onEnd);
  }

  /** The fill thread's body; {@code onEnd} runs after the writer closed, before any future. */
  void run(Runnable onEnd) {
    new FillRun(this, source, environment).run(onEnd);
  }

  // ---- transitions, used by the fill thread (FillRun) ----------------------------------------

  /** When this fill started. */
  Instant startedAt() {
    return startedAt;
  }

  /** The image was committed already: the fill reads that file and opens without the source. */
  void foundCommitted(CachedImage committed) {
    synchronized (fileLock) {
      file = committedFile();
    }
    opened.settle(expectedOf(committed));
  }

  /** Keeps the source's answer so that cancel() can close it; refuses it if cancelled already. */
  void attach(SourceResponse answer) throws IOException {
    synchronized (stateLock) {
      if (cancelReason == null) {
        response = answer;
        return;
      }
    }
    throwIfCancelled();
  }

  /** The writer exists: RUNNING with its file, then {@link #opened()} completes. */
  void running(CacheWriter writer, ExpectedContent expected) throws IOException {
    synchronized (fileLock) {
      file = writer.file();
    }
    boolean cancelled;
    synchronized (stateLock) {
      cancelled = cancelReason != null;
      if (!cancelled) {
        state = State.RUNNING;
        expectedSize = expected.size();
      }
    }
    if (cancelled) {
      throwIfCancelled();
    }
    opened.settle(expected);
  }

  /** Publishes {@code total} bytes on disk and wakes the waiters it satisfies. */
  void advance(long total) throws IOException {
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

  /** Starts committing, after which cancel() has no effect; throws if cancelled before. */
  void claimCommit() throws IOException {
    synchronized (stateLock) {
      if (cancelReason == null) {
        committing = true;
        return;
      }
    }
    throwIfCancelled();
  }

  /** Commits the writer and points {@link #file} at the committed file, under fileLock. */
  CachedImage commit(CacheWriter writer) throws IOException {
    synchronized (fileLock) {
      CachedImage committed = writer.commit();
      file = committedFile();
      return committed;
    }
  }

  /** Closes the writer: aborts it (FAILED before the file is gone) unless it committed. */
  void closeWriter(CacheWriter writer, CachedImage committed, Throwable error) {
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
   * Moves to COMMITTED (when {@code committed} is not null) or FAILED, unless FAILED already,
   * takes every waiter, then completes {@link #writerReleased}. The caller settles the rest.
   */
  Ending finish(CachedImage committed, Throwable error) {
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
    return new Ending(outcome, cancelledBefore, size, drained);
  }

  /** Completes the waiters and both public futures with the commit; outside every lock. */
  void settleCommitted(Ending ending, CachedImage committed) {
    ending.drained().complete(ending.size());
    opened.settle(expectedOf(committed));
    completion.settle(committed);
  }

  /**
   * How a fill ended, taken under stateLock by {@link #finish}: {@code outcome} is the failure
   * (null when committed), {@code size} the committed size, {@code drained} the waiters to settle.
   */
  record Ending(Throwable outcome, boolean cancelledBefore, long size,
      ByteWaiters.Drained drained) {}

  // ---- helpers -------------------------------------------------------------------------------

  /** Throws the cancellation when the fill was cancelled. */
  void throwIfCancelled() throws IOException {
    Throwable cancelled;
    synchronized (stateLock) {
      cancelled = cancelReason == null ? null : failure;
    }
    if (cancelled instanceof IOException) {
      throw (IOException) cancelled;
    }
  }

  /** Fails the given waiters and both public futures; outside every lock. */
  void failAll(ByteWaiters.Drained drained, Throwable cause) {
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

  /** Closes the source's answer, logging a failure. */
  void closeQuietly(SourceResponse toClose) {
    try {
      toClose.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the source response of {} failed", imageId, e);
    }
  }
}
