package io.imagecache.internal.origin;

import io.imagecache.OriginUnavailableException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A plain-HTTP body read by the reader's own thread from the origin's socket straight into the
 * reader's buffer: no thread hand-off, no intermediate buffer and no copy (a chunked body alone
 * goes through one raw buffer to take its framing off). Bytes that arrived with the response head
 * are given out first. A read takes what the socket holds, up to the buffer's space, and waits
 * (a select on the socket) only when it holds nothing, at most the idle timeout.
 *
 * <p>One reader thread; {@link #close} may come from any thread and wakes a waiting read.
 */
final class SocketBody extends BodyChannel {
  /**
   * Raw bytes a chunked body is read through: on the heap, so that many chunked fills at once do
   * not press on the direct-memory limit the launcher sets.
   */
  private static final int CHUNKED_BUFFER = 64 << 10;

  private final SocketChannel socket;
  private final Selector selector;
  private final long idleTimeoutNanos;
  /** The framing's bytes not yet read from the socket: Long.MAX_VALUE for a body ending at close. */
  private long framedLeft;
  private final boolean untilClose;
  /** Null unless the body is chunked. */
  private final ChunkedDecoder chunked;
  /** Bytes read but not given out: what came with the head, or a chunked body's raw bytes. */
  private ByteBuffer buffered;
  /** Guarded by {@code this}: close() ran. */
  private boolean closed;

  /**
   * A body on {@code socket} (non-blocking, registered for reads with {@code selector}, both owned
   * from now on) starting with the {@code buffered} bytes, framed by {@code contentLength}
   * ({@code chunked} when true, up to the connection's end when neither).
   */
  SocketBody(String originName, Duration idleTimeout, OptionalLong expectedSize,
      SocketChannel socket, Selector selector, ByteBuffer buffered, OptionalLong contentLength,
      boolean chunked) {
    super(originName, expectedSize);
    this.socket = socket;
    this.selector = selector;
    this.idleTimeoutNanos = saturatedNanos(idleTimeout);
    this.chunked = chunked ? new ChunkedDecoder() : null;
    this.untilClose = !chunked && contentLength.isEmpty();
    this.framedLeft = chunked || untilClose ? Long.MAX_VALUE : contentLength.getAsLong();
    if (chunked) {
      ByteBuffer raw = ByteBuffer.allocate(Math.max(CHUNKED_BUFFER, buffered.remaining()));
      raw.put(buffered).flip();
      this.buffered = raw;
    } else {
      this.buffered = buffered;
    }
  }

  @Override
  int next(ByteBuffer dst) throws IOException {
    try {
      return chunked == null ? readFramed(dst) : readChunked(dst);
    } catch (ClosedChannelException | InterruptedIOException | OriginUnavailableException e) {
      if (isClosed() && !(e instanceof OriginUnavailableException)) {
        throw new AsynchronousCloseException();
      }
      throw e;
    } catch (IOException e) {
      if (isClosed()) {
        throw new AsynchronousCloseException();
      }
      failed();
      release();
      throw broken(e);
    }
  }

  /** The body ended (fully or short): the connection is not needed any more. */
  @Override
  void ended() {
    release();
  }

  /** A body framed by its length, or by the connection's end. */
  private int readFramed(ByteBuffer dst) throws IOException {
    if (framedLeft == 0) {
      return -1;
    }
    ByteBuffer window = dst.remaining() > framedLeft
        ? dst.slice(dst.position(), (int) framedLeft) : dst;
    int n;
    if (buffered.hasRemaining()) {
      n = Math.min(buffered.remaining(), window.remaining());
      window.put(buffered.slice(buffered.position(), n));
      buffered.position(buffered.position() + n);
    } else {
      n = fill(window);
    }
    if (n < 0) {
      if (untilClose) {
        return -1;
      }
      throw new EOFException("EOF reached while reading");
    }
    if (window != dst) {
      dst.position(dst.position() + n);
    }
    if (!untilClose) {
      framedLeft -= n;
    }
    return n;
  }

  /** A chunked body: raw bytes go through {@link #buffered}. */
  private int readChunked(ByteBuffer dst) throws IOException {
    while (true) {
      int n = chunked.decode(buffered, dst);
      if (n != 0) {
        return n;
      }
      buffered.compact();
      int read;
      try {
        read = fill(buffered);
      } finally {
        buffered.flip();
      }
      if (read < 0) {
        throw new EOFException("EOF reached while reading");
      }
    }
  }

  /**
   * Reads what the socket holds into {@code into}, up to its space: at least one byte, waiting for
   * it at most the idle timeout, or -1 at the connection's end.
   */
  private int fill(ByteBuffer into) throws IOException {
    int total = 0;
    while (true) {
      int r = socket.read(into);
      if (r > 0) {
        total += r;
        if (!into.hasRemaining()) {
          return total;
        }
      } else if (r < 0 || total > 0) {
        return total > 0 ? total : -1;
      } else {
        awaitReadable();
      }
    }
  }

  /** Waits until the socket has bytes (or its end); the idle timeout closes the body and throws. */
  private void awaitReadable() throws IOException {
    long start = System.nanoTime();
    while (true) {
      long left = idleTimeoutNanos - (System.nanoTime() - start);
      if (left <= 0) {
        close();
        throw idle(idleTimeoutNanos);
      }
      int ready;
      try {
        ready = selector.select(Math.max(1, Math.min(left / 1_000_000 + 1, Long.MAX_VALUE / 2)));
      } catch (ClosedSelectorException e) {
        throw new AsynchronousCloseException();
      }
      if (isClosed()) {
        throw new AsynchronousCloseException();
      }
      if (Thread.currentThread().isInterrupted()) {
        close();
        throw new InterruptedIOException("interrupted while reading from " + originName);
      }
      if (ready > 0) {
        selector.selectedKeys().clear();
        return;
      }
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** Drops the connection; a read waiting for bytes fails with AsynchronousCloseException. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    failed();
    release();
  }

  /** Closes the selector (waking a select) and the socket; idempotent. */
  private void release() {
    try {
      selector.close();
    } catch (IOException e) {
      // nothing left to release
    }
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
