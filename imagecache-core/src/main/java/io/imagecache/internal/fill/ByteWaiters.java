package io.imagecache.internal.fill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The readers of one fill waiting for bytes beyond a position, lowest position first.
 *
 * <p>Not thread-safe: the owning fill's stateLock guards every method here, so registering,
 * draining and counting are atomic with the fill's state and bytesWritten. Draining only removes
 * the waiters; the fill completes the returned {@link Drained} batch after it released the lock,
 * because completing a future runs the caller's dependent stages on the completing thread.
 */
final class ByteWaiters {
  /** The owner's stateLock. Readers waiting for bytes beyond a position, lowest first. */
  private final PriorityQueue<Waiter> queue =
      new PriorityQueue<>(Comparator.comparingLong(Waiter::position));

  /** Registers a reader waiting for bytes beyond {@code position}; under the owner's lock. */
  CompletableFuture<Long> register(long position) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    queue.add(new Waiter(position, future));
    return future;
  }

  /** Removes and returns the waiters whose position is below {@code total}; under the lock. */
  Drained drainBelow(long total) {
    if (queue.isEmpty() || queue.peek().position() >= total) {
      return Drained.NONE;
    }
    List<CompletableFuture<Long>> ready = new ArrayList<>();
    while (!queue.isEmpty() && queue.peek().position() < total) {
      ready.add(queue.poll().future());
    }
    return new Drained(ready);
  }

  /** Removes and returns every waiter; under the owner's lock. */
  Drained drainAll() {
    return drainBelow(Long.MAX_VALUE);
  }

  /** How many readers wait; under the owner's lock. */
  int size() {
    return queue.size();
  }

  /** Waiters removed under the owner's lock, to be completed after it is released. */
  record Drained(List<CompletableFuture<Long>> futures) {
    static final Drained NONE = new Drained(List.of());

    Drained {
      Objects.requireNonNull(futures, "futures");
    }

    /** Completes every drained waiter with {@code available}; outside every lock. */
    void complete(long available) {
      for (CompletableFuture<Long> future : futures) {
        future.complete(available);
      }
    }

    /** Fails every drained waiter with {@code cause}; outside every lock. */
    void fail(Throwable cause) {
      for (CompletableFuture<Long> future : futures) {
        future.completeExceptionally(cause);
      }
    }
  }

  /** A reader waiting for bytes beyond {@code position}. */
  private record Waiter(long position, CompletableFuture<Long> future) {}
}
