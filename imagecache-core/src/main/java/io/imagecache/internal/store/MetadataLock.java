package io.imagecache.internal.store;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The file store's {@code metadataLock} (see {@link FileCacheDriver}'s design note, "Locking"):
 * held while the index, the pending hits, the entry copies and the committed files change
 * together, and the {@code closed} flag it guards.
 */
final class MetadataLock {
  private final ReentrantLock lock = new ReentrantLock();
  /** Set by {@link #markClosed()}; a reconciliation step that sees it stops. Guarded by lock. */
  private boolean closed;

  /** Runs store work under the lock. */
  <T> T call(StoreWork<T> work) throws IOException {
    lock.lock();
    try {
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  /** Marks the store closed, under the lock; steps that take the lock later see it. */
  void markClosed() throws IOException {
    call(() -> {
      closed = true;
      return null;
    });
  }

  /** Whether the store is closed; call with the lock held. */
  boolean isClosed() {
    assert lock.isHeldByCurrentThread();
    return closed;
  }

  /** The lock itself, for the entry copies' assertion and for a test that pins an interleaving. */
  ReentrantLock lock() {
    return lock;
  }

  /** A piece of store work that may fail with an I/O error. */
  @FunctionalInterface
  interface StoreWork<T> {
    T run() throws IOException;
  }
}
