package io.imagecache.internal.origin;

import io.imagecache.Durations;
import io.imagecache.OriginUnavailableException;
import io.imagecache.internal.Throwables;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * An origin's response body as a blocking {@link ReadableByteChannel} for one reader thread, read
 * straight from the socket ({@link SocketBody}) or delivered by the JDK client
 * ({@link SubscriberBody}). Both keep the same rules and words: a read waits at most the idle
 * timeout; a body that ends or breaks before its expected size fails with an
 * {@link EOFException} saying how many bytes came, so a short body never looks like a clean end;
 * more than the expected size is a {@link BodyTooLongException}; a read that fails leaves its
 * buffer's position where it was, even if bytes had arrived before the break (a resumed body asks
 * for them again from the last byte counted). {@link #close} may come from any
 * thread: a blocked read then fails with {@link java.nio.channels.AsynchronousCloseException}.
 */
abstract class BodyChannel implements ReadableByteChannel {
  /** The origin's name, for messages. */
  final String originName;
  /** What the body must be, when known. */
  final OptionalLong expectedSize;
  /** Bytes given to the reader so far; reader thread only. */
  long received;
  /** Whether the body's clean end was read; reader thread only. */
  private boolean reachedEnd;
  /** False once closed or failed: every later read fails. Read by any thread. */
  private volatile boolean open = true;

  BodyChannel(String originName, OptionalLong expectedSize) {
    this.originName = originName;
    this.expectedSize = expectedSize;
  }

  @Override
  public final int read(ByteBuffer dst) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    if (reachedEnd) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int start = dst.position();
    int n;
    try {
      n = next(dst);
    } catch (IOException e) {
      dst.position(start); // a failed read gives nothing, so no byte is both kept and counted out
      throw e;
    }
    if (n < 0) {
      ended();
      if (endsShort()) {
        failed(); // later reads fail too: a short body never turns into a clean end
        throw shortBody(null);
      }
      reachedEnd = true;
      return -1;
    }
    counted(n);
    return n;
  }

  /**
   * Moves the body's next bytes into {@code dst} (which has room), waiting for them: how many
   * (at least one), or -1 at the body's end; a break, a wait past the idle timeout or a close
   * throws.
   */
  abstract int next(ByteBuffer dst) throws IOException;

  /** The body's end was read: a hook for the transport. */
  void ended() {}

  /** Every later read fails; any thread. */
  final void failed() {
    open = false;
  }

  @Override
  public final boolean isOpen() {
    return open;
  }

  /** Counts {@code n} bytes given to the reader; more than the expected size closes and throws. */
  final void counted(int n) throws BodyTooLongException {
    received += n;
    if (expectedSize.isPresent() && received > expectedSize.getAsLong()) {
      close();
      throw new BodyTooLongException(
          originName + " sent more than the expected " + expectedSize.getAsLong() + " bytes");
    }
  }

  /** Whether the body, ending now, is shorter than expected. */
  final boolean endsShort() {
    return expectedSize.isPresent() && received < expectedSize.getAsLong();
  }

  /** The failure of a body whose transfer broke with {@code cause}. */
  final IOException broken(Throwable cause) {
    return expectedSize.isPresent()
        ? shortBody(cause)
        : new IOException(originName + " failed after " + received + " bytes: "
            + Throwables.describe(cause), cause);
  }

  /** A body that ended (with {@code cause}, or cleanly when null) before its expected size. */
  final EOFException shortBody(Throwable cause) {
    EOFException e = new EOFException(
        originName + " sent " + received + " of " + expectedSize.getAsLong() + " bytes"
            + (cause == null ? "" : " (" + Throwables.describe(cause) + ")"));
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** The failure of a read that waited {@code idleNanos} without a byte. */
  final OriginUnavailableException idle(long idleNanos) {
    return new OriginUnavailableException(originName + " sent nothing for "
        + Durations.format(Duration.ofNanos(idleNanos)) + " (idle timeout) after " + progress());
  }

  private String progress() {
    return expectedSize.isPresent()
        ? received + " of " + expectedSize.getAsLong() + " bytes"
        : received + " bytes";
  }

  /** Stops the body: the connection is dropped, a blocked read fails. Any thread. */
  @Override
  public abstract void close();

  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
