package io.imagecache.internal.origin;

import io.imagecache.ImageNotActiveException;
import io.imagecache.ImageNotFoundException;
import io.imagecache.OriginAccessDeniedException;
import io.imagecache.internal.Throwables;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin body that outlives a broken connection: when a read fails because the body broke,
 * stalled past the idle timeout or ended short, it waits (100 ms, doubling up to 5 s), asks for
 * the rest from the byte it reached ({@link Resumer}), and reads on there, at most
 * {@code attempts} times per body. Its reader sees a pause, and the same stream of bytes, so
 * digests computed over it simply go on. A resume the origin refuses (the image changed) or the
 * last failure when attempts run out fails the read as the break would have without resuming.
 * A read that fails leaves {@code dst} as it was, whatever the broken body put there: the bytes
 * it holds are exactly those counted, so the rest is asked for from the right byte.
 *
 * <p>One reader thread; {@link #close} may come from any thread and ends a wait at once.
 */
final class ResumingBody implements ReadableByteChannel {
  private static final Logger log = LoggerFactory.getLogger(ResumingBody.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Opens the body's rest from {@code offset} on; throws when that fails. */
  @FunctionalInterface
  interface Resumer {
    ReadableByteChannel resume(long offset) throws IOException;
  }

  private final String description;
  private final Resumer resumer;
  private final int attempts;
  /** Guards {@link #current} and {@link #closed}, and is waited on during a back-off. */
  private final Object lock = new Object();
  private ReadableByteChannel current;
  private boolean closed;
  // Reader-thread state.
  private long offset;
  private int used;

  /** {@code first} is the body as first sent; {@code description} names image and origin in logs. */
  ResumingBody(String description, ReadableByteChannel first, int attempts, Resumer resumer) {
    this.description = Objects.requireNonNull(description, "description");
    this.current = Objects.requireNonNull(first, "first");
    this.attempts = attempts;
    this.resumer = Objects.requireNonNull(resumer, "resumer");
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    while (true) {
      ReadableByteChannel body;
      synchronized (lock) {
        if (closed) {
          throw new AsynchronousCloseException();
        }
        body = current;
      }
      int start = dst.position();
      try {
        int n = body.read(dst);
        if (n > 0) {
          offset += n;
        }
        return n;
      } catch (IOException e) {
        // Bytes a failed read left in dst were not counted in offset: the rest asks for them again.
        dst.position(start);
        if (!resumable(e) || isClosed()) {
          throw e;
        }
        resumeAfter(e);
      }
    }
  }

  /** Replaces the broken body by its rest, or throws the failure that ends the body. */
  private void resumeAfter(IOException broken) throws IOException {
    QuietClose.close(current, "a broken origin body");
    IOException cause = broken;
    long backoff = FIRST_BACKOFF.toMillis();
    while (true) {
      if (used >= attempts) {
        if (used > 0) {
          cause.addSuppressed(new IOException("gave up after " + used + " resumed requests"));
        }
        throw cause;
      }
      used++;
      log.info("{}: body broke after {} bytes ({}); resuming in {} ms, attempt {} of {}",
          description, offset, Throwables.describe(cause), backoff, used, attempts);
      pause(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      ReadableByteChannel rest;
      try {
        rest = resumer.resume(offset);
      } catch (IOException e) {
        if (!resumable(e) || isClosed()) {
          e.addSuppressed(cause);
          throw e;
        }
        cause = e;
        continue;
      }
      synchronized (lock) {
        if (!closed) {
          current = rest;
          return;
        }
      }
      QuietClose.close(rest, "a broken origin body");
      throw new AsynchronousCloseException();
    }
  }

  /** Waits {@code millis}, or until closed (then throws). */
  private void pause(long millis) throws IOException {
    ClosableWait.pause(lock, () -> closed, millis, "waiting to resume " + description);
  }

  /** A break of the transfer, not a verdict on the content, the caller or the image. */
  private static boolean resumable(IOException e) {
    return !(e instanceof ClosedChannelException || e instanceof InterruptedIOException
        || e instanceof BodyTooLongException || e instanceof ResumeRefusedException
        || e instanceof ImageNotFoundException || e instanceof OriginAccessDeniedException
        || e instanceof ImageNotActiveException);
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  @Override
  public boolean isOpen() {
    return !isClosed();
  }

  /** Closes the body in use and ends a back-off wait. */
  @Override
  public void close() throws IOException {
    ReadableByteChannel body;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      body = current;
      lock.notifyAll();
    }
    body.close();
  }
}
