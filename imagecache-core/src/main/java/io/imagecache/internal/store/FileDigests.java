package io.imagecache.internal.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashes a writer's file by reading it back behind the writer, on an executor, one task per
 * algorithm at a time. The digests cover the bytes as the file holds them (a hole read as the
 * zeros it is), not the buffers they were written from, so a write that put wrong bytes in the
 * file fails the verification. The writing thread only says how far it wrote: it copies nothing
 * and waits only while a digest is more than {@link #MAX_LAG} bytes behind, which keeps the bytes
 * still to be hashed in the page cache. A fill whose digest is slower than its origin then goes on
 * receiving and writing while the digest catches up, instead of stopping at every chunk.
 *
 * <pre>
 * Design
 * ======
 * Lanes.  One per algorithm, owning its MessageDigest and its read buffer. written() publishes
 *   the writer's position and, for each lane, schedules a drain task unless one is due
 *   (`wakeups` 0 → n); a drain reads and hashes the file up to the published position, then ends
 *   if no wakeup came meanwhile (compare-and-set of `wakeups` from the count it saw back to 0),
 *   else drains again. So at most one drain of a lane runs at a time and the file is hashed in
 *   order. An executor that refuses the task (shut down) makes the writing thread drain inline.
 *
 * Lag.  written() waits (on the `progress` monitor) while a lane is more than MAX_LAG behind;
 *   finish() waits until every lane has hashed everything. The writer says what it waits for
 *   in `wakeAt`; a lane that reaches it, or fails, wakes it.
 *
 * Owners and locking (no lock is held while reading or hashing):
 *   written       volatile; the writing thread writes, lanes read.
 *   Lane.hashed   volatile; the lane's drain writes, the writing thread reads.
 *   Lane.digest, Lane.buffer  the lane's drain; the writing thread once finish() saw every
 *                 lane's hashed reach written (the volatile read orders it after the drain).
 *   wakeAt        volatile; the writing thread sets it under `progress` before it looks at the
 *                 lanes, a lane reads it after moving `hashed`, so either the lane sees the
 *                 writer waiting or the writer sees the lane's progress.
 *   failure       set once by a lane whose reading or hashing failed; written() and finish()
 *                 throw it.
 *   file          the read channel: positional reads by the drains (thread-safe), closed by
 *                 close(), which makes a drain still reading fail.
 * </pre>
 *
 * <p>One thread calls {@link #written} and {@link #finish}; {@link #close} may come from any thread
 * (a writer aborted by another one).
 */
final class FileDigests implements AutoCloseable {
  /**
   * How far a digest may fall behind the writer before the writer waits: far enough that a fill
   * whose digest is its slowest part goes on receiving, writing and sending meanwhile (misses ran
   * 7-10% faster than with 32 MiB, 8 MiB was slower still), near enough that the bytes still to
   * hash are in the page cache.
   */
  static final long MAX_LAG = 128L << 20;
  /** The bytes a lane reads at a time. */
  static final int READ_SIZE = 256 << 10;

  private final FileChannel file;
  private final Executor executor;
  /** How far a lane may fall behind before written() waits. */
  private final long maxLag;
  private final List<Lane> lanes = new ArrayList<>();
  /** The bytes the file holds, as far as the writer said; see the design note. */
  private volatile long written;
  /** The first error a lane's reading or hashing threw; set once. */
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  /** The writing thread waits on it for lanes to move on. */
  private final Object progress = new Object();
  /** What the waiting writing thread waits for every lane to have hashed; MAX_VALUE when none. */
  private volatile long wakeAt = Long.MAX_VALUE;

  /**
   * Digests of {@code path}'s bytes, for every algorithm of {@code algorithms}, on
   * {@code executor}; the file is opened for reading here and closed by {@link #close}.
   */
  FileDigests(Path path, Set<DigestAlgorithm> algorithms, Executor executor) throws IOException {
    this(path, algorithms, executor, MAX_LAG);
  }

  /** As above, the writer waiting while a lane is more than {@code maxLag} bytes behind. */
  FileDigests(Path path, Set<DigestAlgorithm> algorithms, Executor executor, long maxLag)
      throws IOException {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.maxLag = maxLag;
    for (DigestAlgorithm algorithm : algorithms) {
      lanes.add(new Lane(algorithm));
    }
    this.file = FileChannel.open(path, StandardOpenOption.READ);
  }

  /**
   * The file now holds its first {@code position} bytes: the lanes may hash them. Waits while a
   * lane is more than the lag allowed ({@link #MAX_LAG}) behind.
   *
   * @throws IOException when a lane failed, or the wait was interrupted
   */
  void written(long position) throws IOException {
    written = position;
    for (Lane lane : lanes) {
      lane.wake();
    }
    awaitHashed(position - maxLag);
  }

  /**
   * Waits until every written byte is hashed and returns each algorithm's digest.
   *
   * @throws IOException when reading or hashing failed, or the wait was interrupted
   */
  Map<DigestAlgorithm, byte[]> finish() throws IOException {
    awaitHashed(written);
    Map<DigestAlgorithm, byte[]> digests = new EnumMap<>(DigestAlgorithm.class);
    for (Lane lane : lanes) {
      digests.put(lane.algorithm, lane.digest.digest());
    }
    return digests;
  }

  /** Closes the read channel: a drain still reading fails, none reads again; any thread. */
  @Override
  public void close() {
    try {
      file.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  /** Waits until every lane has hashed the first {@code target} bytes; throws a lane's failure. */
  private void awaitHashed(long target) throws IOException {
    if (!behind(target)) {
      return;
    }
    synchronized (progress) {
      wakeAt = target;
      try {
        while (behind(target)) {
          progress.wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the digests");
      } finally {
        wakeAt = Long.MAX_VALUE;
      }
    }
  }

  /** Whether a lane has hashed less than the first {@code target} bytes; throws a lane's failure. */
  private boolean behind(long target) throws IOException {
    Throwable failed = failure.get();
    if (failed != null) {
      throw new IOException("computing the digests failed: " + failed, failed);
    }
    for (Lane lane : lanes) {
      if (lane.hashed < target) {
        return true;
      }
    }
    return false;
  }

  /** Wakes the writing thread if it waits for a lane to reach {@code hashed}, or any failure. */
  private void moved(long hashed) {
    if (hashed >= wakeAt) {
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  /** One algorithm's digest over the file, moved on by at most one drain task at a time. */
  private final class Lane implements Runnable {
    final DigestAlgorithm algorithm;
    /** The lane's drain; the writing thread once finish() saw every byte hashed. */
    final MessageDigest digest;
    /**
     * The lane's drain only. On the heap: a digest takes a heap array in one call, where it would
     * copy a direct buffer out in 4 KiB pieces first (SHA-512 ran about 10% slower that way).
     */
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
    /** The bytes hashed so far; written by the drain, read by the writing thread. */
    volatile long hashed;
    /** Wakeups since the running drain last looked; 0 → 1 schedules a drain. */
    private final AtomicInteger wakeups = new AtomicInteger();

    Lane(DigestAlgorithm algorithm) {
      this.algorithm = algorithm;
      this.digest = algorithm.newMessageDigest();
    }

    void wake() {
      if (wakeups.getAndIncrement() == 0) {
        try {
          executor.execute(this);
        } catch (RejectedExecutionException e) {
          run();
        }
      }
    }

    /** Hashes the file up to the published position until no wakeup is left. */
    @Override
    public void run() {
      int seen;
      do {
        seen = wakeups.get();
        if (failure.get() == null) {
          try {
            hashTo(written);
          } catch (IOException | RuntimeException | Error e) {
            failure.compareAndSet(null, e);
            moved(Long.MAX_VALUE);
          }
        }
      } while (!wakeups.compareAndSet(seen, 0));
    }

    private void hashTo(long end) throws IOException {
      long at = hashed;
      while (at < end) {
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), end - at));
        int read = file.read(buffer, at);
        if (read < 0) {
          throw new IOException("the file ended at " + at + " bytes, " + end + " were written");
        }
        digest.update(buffer.array(), 0, read);
        at += read;
        hashed = at;
        moved(at);
      }
    }
  }
}
