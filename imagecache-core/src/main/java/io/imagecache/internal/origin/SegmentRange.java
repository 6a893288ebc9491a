package io.imagecache.internal.origin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes {@code [from, to)} of an image, asked for with a range request on the first read, so
 * that a request that fails fails a read, which {@link ResumingBody} resumes like any other break.
 * Once its last byte is read it reads on to the response's end, so that the connection goes back
 * to the client's pool instead of being dropped.
 *
 * <p>One reader thread; {@link #close} may come from any thread.
 */
final class SegmentRange implements ReadableByteChannel {
  private static final Logger log = LoggerFactory.getLogger(SegmentRange.class);

  /** Sends the range request for bytes {@code [from, to)} and returns the 206's body. */
  @FunctionalInterface
  interface Opener {
    ReadableByteChannel open(long from, long to) throws IOException;
  }

  private final Opener opener;
  private final long from;
  private final long to;
  /** Guards {@link #body} and {@link #closed}. */
  private final Object lock = new Object();
  private ReadableByteChannel body;
  private boolean closed;
  /** {@link #body}, held to its length; reader thread only. */
  private LengthCheckedChannel checked;
  /** Bytes delivered so far; reader thread only. */
  private long delivered;

  SegmentRange(Opener opener, long from, long to) {
    if (from < 0 || to <= from) {
      throw new IllegalArgumentException("not a range: [" + from + ", " + to + ")");
    }
    this.opener = Objects.requireNonNull(opener, "opener");
    this.from = from;
    this.to = to;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (delivered == to - from) {
      return -1;
    }
    ReadableByteChannel in = opened();
    int n = checked.read(dst);
    delivered += n;
    if (delivered == to - from) {
      readToEnd(in);
    }
    return n;
  }

  /** The response's body, requested now if this is the first read. */
  private ReadableByteChannel opened() throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new ClosedChannelException();
      }
      if (body != null) {
        return body;
      }
    }
    ReadableByteChannel opened = opener.open(from, to);
    synchronized (lock) {
      if (!closed) {
        body = opened;
        checked = new LengthCheckedChannel(opened, to - from,
            "the range " + from + "-" + (to - 1));
        return opened;
      }
    }
    opened.close();
    throw new AsynchronousCloseException();
  }

  /** Sees the response's end (all its bytes are in), so the client can reuse the connection. */
  private static void readToEnd(ReadableByteChannel in) {
    try {
      in.read(ByteBuffer.allocate(1));
    } catch (IOException e) {
      // The range is complete; a response that does not end cleanly only costs its connection.
      log.debug("a complete range response did not end cleanly", e);
    }
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  @Override
  public void close() throws IOException {
    ReadableByteChannel opened;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      opened = body;
    }
    if (opened != null) {
      opened.close();
    }
  }
}
