package io.imagecache.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A point where a test origin's response stops until the test opens it: the test can wait until
 * the response has reached the gate, look around, then {@link #release} it.
 */
public final class Gate {
  private final CountDownLatch reached = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  /** Lets every response held here, now and later, go on. */
  public void release() {
    released.countDown();
  }

  /** True once some response has arrived at the gate. */
  public boolean isReached() {
    return reached.getCount() == 0;
  }

  /** Waits until some response has arrived at the gate; false if {@code timeout} passed first. */
  public boolean awaitReached(Duration timeout) throws InterruptedException {
    return reached.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Called by the serving thread: marks the gate reached and blocks until it is released. */
  void pass() throws InterruptedException {
    reached.countDown();
    released.await();
  }
}
