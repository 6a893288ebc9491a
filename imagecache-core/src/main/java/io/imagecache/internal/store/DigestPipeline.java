package io.imagecache.internal.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashes a writer's bytes beside the writer: the writing thread pays one copy per chunk, the
 * digests run on an executor, one task per algorithm at a time, so a fill with MD5 and SHA-512 is
 * not limited by the sum of both hash speeds on the writing thread.
 *
 * <pre>
 * Design
 * ======
 * Chunks.  update() copies the bytes into a Chunk (a reusable byte[]) and hands it to every Lane.
 *   At most POOL_SIZE chunks exist per pipeline, allocated lazily; update() blocks for a free one
 *   when all are being hashed, so the digests lag the writer by at most POOL_SIZE chunks and the
 *   memory of a pipeline stays bounded. The last lane done with a chunk puts it back in `free`.
 *
 * Lanes.  One per algorithm, owning its MessageDigest. A lane's chunks wait in its queue in write
 *   order; `pending` counts chunks submitted and not yet hashed, and the submit that moves it from
 *   0 schedules one drain task, which hashes until it brings `pending` back to 0. So at most one
 *   task of a lane runs at a time and chunks are hashed in order; the atomic count hands the
 *   digest from one drain task to the next (happens-before). An executor that refuses the task
 *   (shut down) makes the submitting thread drain inline.
 *
 * Owners and locking (no locks; each structure has one owner or is concurrent):
 *   allocated  the writing thread only.
 *   free       a BlockingQueue: lanes put chunks back, the writing thread takes them.
 *   Chunk.refs an AtomicInteger: lanes still to hash the chunk; the lane that brings it to 0
 *              returns the chunk. Chunk.bytes/length: written by the writing thread before the
 *              chunk is queued, read by the lanes, rewritten only after it came back to `free`.
 *   Lane.digest the lane's drain task while chunks are pending; the writing thread after
 *              finish() took every chunk back from `free` (which orders it after the last update).
 *   failure    set once by a lane whose hashing threw; finish() reports it.
 * </pre>
 *
 * <p>One thread calls {@link #update} and {@link #finish}; not for use after finish.
 */
final class DigestPipeline {
  /** Chunks per pipeline: enough to keep hashing busy while the writer copies the next one. */
  static final int POOL_SIZE = 4;
  /** The largest chunk: the fill's copy size, so one write is usually one chunk. */
  static final int MAX_CHUNK = 1 << 20;
  /** The smallest chunk allocated, so that tiny writes do not make tiny chunks. */
  private static final int MIN_CHUNK = 64 << 10;

  private final Executor executor;
  private final List<Lane> lanes = new ArrayList<>();
  /** Chunks no lane is hashing; lanes put, the writing thread takes. */
  private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(POOL_SIZE);
  /** Chunks created so far (at most POOL_SIZE); the writing thread only. */
  private int allocated;
  /** The first error a lane's hashing threw; set once. */
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /** A pipeline computing one digest per algorithm of {@code algorithms} on {@code executor}. */
  DigestPipeline(Set<DigestAlgorithm> algorithms, Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    for (DigestAlgorithm algorithm : algorithms) {
      lanes.add(new Lane(algorithm));
    }
  }

  /** Queues the remaining bytes of {@code src} for every digest (src's position is unchanged). */
  void update(ByteBuffer src) throws IOException {
    ByteBuffer bytes = src.duplicate();
    while (bytes.hasRemaining()) {
      Chunk chunk = freeChunk(bytes.remaining());
      int length = Math.min(chunk.bytes.length, bytes.remaining());
      bytes.get(chunk.bytes, 0, length);
      chunk.length = length;
      chunk.refs.set(lanes.size());
      for (Lane lane : lanes) {
        lane.submit(chunk);
      }
    }
  }

  /**
   * Waits until every queued byte is hashed and returns each algorithm's digest.
   *
   * @throws IOException when hashing failed or the wait was interrupted
   */
  Map<DigestAlgorithm, byte[]> finish() throws IOException {
    for (int i = 0; i < allocated; i++) {
      takeFree();
    }
    allocated = 0;
    Throwable failed = failure.get();
    if (failed != null) {
      throw new IOException("computing the digests failed: " + failed, failed);
    }
    Map<DigestAlgorithm, byte[]> digests = new EnumMap<>(DigestAlgorithm.class);
    for (Lane lane : lanes) {
      digests.put(lane.algorithm, lane.digest.digest());
    }
    return digests;
  }

  /** A chunk no lane uses: a returned one, a new one while fewer than POOL_SIZE exist, else waits. */
  private Chunk freeChunk(int wanted) throws IOException {
    Chunk chunk = free.poll();
    if (chunk != null) {
      return chunk;
    }
    if (allocated < POOL_SIZE) {
      allocated++;
      return new Chunk(Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, wanted)));
    }
    return takeFree();
  }

  private Chunk takeFree() throws IOException {
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the digests");
    }
  }

  /** Some written bytes on their way through the lanes; see the design note for its owners. */
  private final class Chunk {
    final byte[] bytes;
    int length;
    /** Lanes that have not hashed this chunk yet. */
    final AtomicInteger refs = new AtomicInteger();

    Chunk(int capacity) {
      this.bytes = new byte[capacity];
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        free.add(this);
      }
    }
  }

  /** One algorithm's digest, fed chunks in order by at most one drain task at a time. */
  private final class Lane implements Runnable {
    final DigestAlgorithm algorithm;
    /** The lane's drain task; the writing thread once finish() got every chunk back. */
    final MessageDigest digest;
    /** Chunks to hash, in write order. */
    final ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
    /** Chunks submitted and not hashed yet; 0 → 1 schedules a drain task. */
    final AtomicInteger pending = new AtomicInteger();

    Lane(DigestAlgorithm algorithm) {
      this.algorithm = algorithm;
      this.digest = algorithm.newMessageDigest();
    }

    void submit(Chunk chunk) {
      queue.add(chunk);
      if (pending.getAndIncrement() == 0) {
        try {
          executor.execute(this);
        } catch (RejectedExecutionException e) {
          run();
        }
      }
    }

    /** Hashes queued chunks until none is pending. */
    @Override
    public void run() {
      do {
        Chunk chunk = queue.poll();
        try {
          if (failure.get() == null) {
            digest.update(chunk.bytes, 0, chunk.length);
          }
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, e);
        } finally {
          chunk.release();
        }
      } while (pending.decrementAndGet() != 0);
    }
  }
}
