package io.imagecache.internal.origin;

import io.imagecache.OriginUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
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
import java.util.ArrayDeque;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A plain-HTTP body read by the reader's own thread from the origin's socket. A body framed by its
 * length or by the connection's end goes straight into the reader's buffer: no thread hand-off, no
 * intermediate buffer and no copy, once the bytes that arrived with the response head (decoded
 * with it) are given out. A chunked body goes through Netty's decoder ({@link ResponseDecoder}),
 * whose pieces are copied into the reader's buffer. A read takes what the socket holds, up to the
 * buffer's space, and waits (a select on the socket) only when it holds nothing, at most the idle
 * timeout.
 *
 * <p>A body framed by its length whose last byte was read hands its connection to the keeper it
 * was given (kept for the next request, HTTP/1.1 keep-alive) instead of closing it; one closed or
 * broken first closes it, as does a body without a keeper.
 *
 * <p>One reader thread; {@link #close} may come from any thread and wakes a waiting read. The
 * decoder, the decoded pieces and whether the connection was handed on are guarded by
 * {@code this}, never held while waiting.
 */
final class SocketBody extends BodyChannel {
  private final SocketChannel socket;
  private final Selector selector;
  private final long idleTimeoutNanos;
  /** The framing's bytes not yet given out: Long.MAX_VALUE for a body ending at close. */
  private long framedLeft;
  private final boolean untilClose;
  private final boolean chunked;
  /** Guarded by {@code this}: the chunked body's decoder; null unless chunked, or once released. */
  private ResponseDecoder decoder;
  /** Guarded by {@code this}: decoded bytes not given out yet, in order. */
  private final ArrayDeque<ByteBuf> decoded = new ArrayDeque<>();
  /** Guarded by {@code this}: the decoder gave the chunked body's end. */
  private boolean chunkedEnd;
  /** Guarded by {@code this}: close() ran. */
  private boolean closed;
  /** Guarded by {@code this}: the decoder and the decoded pieces were released. */
  private boolean released;
  /** Takes the connection once the body was read to its end, or null to close it then. */
  private final Consumer<IdleConnections.Connection> keeper;
  /** Guarded by {@code this}: the connection went to the keeper and is not this body's any more. */
  private boolean handedOn;

  /**
   * A body on {@code socket} (non-blocking, registered for reads with {@code selector}, both owned
   * from now on, as is {@code decoder}, which holds the head's response and maybe the body's first
   * pieces), framed by {@code contentLength} ({@code chunked} when true, up to the connection's end
   * when neither); {@code keeper}, if not null, takes the connection once a body framed by its
   * length was read to its end.
   */
  SocketBody(String originName, Duration idleTimeout, OptionalLong expectedSize,
      SocketChannel socket, Selector selector, ResponseDecoder decoder, OptionalLong contentLength,
      boolean chunked, Consumer<IdleConnections.Connection> keeper) {
    super(originName, expectedSize);
    this.keeper = keeper;
    this.socket = socket;
    this.selector = selector;
    this.idleTimeoutNanos = saturatedNanos(idleTimeout);
    this.chunked = chunked;
    this.untilClose = !chunked && contentLength.isEmpty();
    this.framedLeft = chunked || untilClose ? Long.MAX_VALUE : contentLength.getAsLong();
    if (chunked) {
      this.decoder = decoder;
    } else {
      drainThenClose(decoder);
    }
  }

  /** Keeps the body bytes that came with the head; the rest is read without the decoder. */
  private void drainThenClose(ResponseDecoder framing) {
    try {
      HttpObject object;
      while ((object = framing.next()) != null) {
        if (object instanceof HttpContent content && !content.decoderResult().isFailure()) {
          decoded.add(content.content());
          if (content instanceof LastHttpContent) {
            break;
          }
        } else {
          ReferenceCountUtil.release(object);
        }
      }
    } finally {
      framing.close();
    }
  }

  @Override
  int next(ByteBuffer dst) throws IOException {
    try {
      return chunked ? readChunked(dst) : readFramed(dst);
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
    int n = takeDecoded(window);
    if (n == 0) {
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
      if (framedLeft == 0) {
        handOn();
      }
    }
    return n;
  }

  /** Gives the connection, its response read to the end, to the keeper if there is one. */
  private void handOn() {
    if (keeper == null) {
      return;
    }
    synchronized (this) {
      if (closed || released || !decoded.isEmpty()) {
        return;
      }
      handedOn = true;
    }
    releaseDecoded();
    keeper.accept(new IdleConnections.Connection(socket, selector));
  }

  /** A chunked body: the decoder takes its framing off the socket's bytes. */
  private int readChunked(ByteBuffer dst) throws IOException {
    while (true) {
      int n = decode(dst);
      if (n != 0) {
        return n;
      }
      int read = feedDecoder();
      if (read < 0) {
        throw new EOFException("EOF reached while reading");
      }
      if (read == 0) {
        awaitReadable();
      }
    }
  }

  /**
   * Moves decoded bytes into {@code dst}: how many, 0 when the decoder needs more of the socket,
   * -1 at the chunked body's end.
   */
  private synchronized int decode(ByteBuffer dst) throws IOException {
    while (true) {
      int n = takeDecoded(dst);
      if (n > 0) {
        return n;
      }
      if (chunkedEnd) {
        return -1;
      }
      HttpObject object = decoder.next();
      if (object == null) {
        return 0;
      }
      if (object.decoderResult().isFailure()) {
        throw ResponseDecoder.failure(object, "chunked body");
      }
      if (object instanceof HttpContent content) {
        decoded.add(content.content());
        chunkedEnd = content instanceof LastHttpContent;
      } else {
        ReferenceCountUtil.release(object);
      }
    }
  }

  private synchronized int feedDecoder() throws IOException {
    checkUnreleased();
    return decoder.readFrom(socket);
  }

  /** Copies decoded bytes into {@code dst}, as many as fit: how many (0 when none wait). */
  private synchronized int takeDecoded(ByteBuffer dst) throws IOException {
    checkUnreleased();
    int total = 0;
    while (!decoded.isEmpty() && dst.hasRemaining()) {
      ByteBuf piece = decoded.peek();
      int n = Math.min(piece.readableBytes(), dst.remaining());
      piece.readBytes(dst.slice(dst.position(), n));
      dst.position(dst.position() + n);
      total += n;
      if (!piece.isReadable()) {
        decoded.poll().release();
      }
    }
    return total;
  }

  private void checkUnreleased() throws ClosedChannelException {
    if (released) {
      throw new ClosedChannelException();
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

  /**
   * Closes the selector (waking a select) and the socket, then releases the decoder and the
   * decoded pieces; idempotent.
   */
  private void release() {
    synchronized (this) {
      if (handedOn) {
        return; // the keeper's now
      }
    }
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
    releaseDecoded();
  }

  private synchronized void releaseDecoded() {
    if (released) {
      return;
    }
    released = true;
    decoded.forEach(ByteBuf::release);
    decoded.clear();
    if (decoder != null) {
      decoder.close();
    }
  }
}
