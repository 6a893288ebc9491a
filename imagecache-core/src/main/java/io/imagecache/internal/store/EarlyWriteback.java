package io.imagecache.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes a durable writer's bytes reach the disk while it still writes: every {@link #STEP} bytes
 * it runs an fdatasync on a background executor, so that the fdatasync before the commit finds
 * only the last few MiB dirty instead of the whole image. Without it a 1 GiB fill waited about a
 * second here between its last byte and its commit, all of it writeback the disk could have done
 * during the fill; the client of a miss waits for that commit before its last byte.
 *
 * <p>An fdatasync reports a failed write-back once per open file, so a flush's failure is kept
 * and {@link #finish} throws it: the commit must not take the later, clean fdatasync for proof.
 *
 * <p>Locking: {@code askedAt} and {@code inFlight} belong to the writing thread (which calls
 * {@link #written} and {@link #finish}); the flush runs on the executor, at most one at a time,
 * and hands its failure over in {@code failure} (set once).
 */
final class EarlyWriteback {
  /** Bytes written between two early flushes. */
  static final long STEP = 64L << 20;

  private final FileChannel channel;
  private final WriterFiles files;
  private final Executor executor;
  /** The write position at which the last flush was started; the writing thread only. */
  private long askedAt;
  /** The flush started last; the writing thread only. */
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  /** The first failure of a flush; set once. */
  private final AtomicReference<IOException> failure = new AtomicReference<>();

  EarlyWriteback(FileChannel channel, WriterFiles files, Executor executor) {
    this.channel = channel;
    this.files = files;
    this.executor = executor;
  }

  /** The file now holds {@code position} bytes: starts a flush when a step is due and none runs. */
  void written(long position) {
    if (position - askedAt < STEP || !inFlight.isDone() || failure.get() != null) {
      return;
    }
    askedAt = position;
    try {
      inFlight = CompletableFuture.runAsync(this::flush, executor);
    } catch (RejectedExecutionException e) {
      // Shutting down: the fdatasync before the commit still makes every byte durable.
      inFlight = CompletableFuture.completedFuture(null);
    }
  }

  /**
   * Waits for the flush in flight, then throws the failure of any flush of this file.
   *
   * @throws IOException when an early flush failed: some written bytes may not be on disk
   */
  void finish() throws IOException {
    inFlight.join();
    IOException failed = failure.get();
    if (failed != null) {
      throw new IOException("writing the image back to disk failed: " + failed.getMessage(), failed);
    }
  }

  private void flush() {
    try {
      files.force(channel);
    } catch (IOException e) {
      failure.compareAndSet(null, e);
    } catch (RuntimeException e) {
      failure.compareAndSet(null, new IOException(e.toString(), e));
    }
  }
}
