package io.imagecache.internal.origin;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.util.function.BooleanSupplier;

/**
 * A body's pause between attempts that its close ends at once: the body guards its closed flag
 * with {@code lock} and notifies it on close.
 */
final class ClosableWait {
  private ClosableWait() {}

  /**
   * Waits {@code millis} on {@code lock} (not held by the caller), or until {@code closed} (read
   * under the lock) says the body was closed: then throws {@link AsynchronousCloseException}.
   * {@code what} names the wait in the exception of an interrupt.
   */
  static void pause(Object lock, BooleanSupplier closed, long millis, String what)
      throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    synchronized (lock) {
      while (!closed.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while " + what);
        }
      }
    }
    throw new AsynchronousCloseException();
  }
}
