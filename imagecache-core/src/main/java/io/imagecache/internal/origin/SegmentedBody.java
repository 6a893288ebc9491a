package io.imagecache.internal.origin;

import io.imagecache.internal.DaemonThreads;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image body fetched in consecutive segments over several connections at once, read as one
 * sequential stream: the fill reads it like any body, so single-flight, read-while-write, digests
 * and verification stay as they are, and they only ever see the contiguous prefix.
 *
 * <p>Every segment is a range request ({@link SegmentRange}, {@code If-Range} checked on every 206
 * by the sender; over plain HTTP on a connection a finished segment left open, so N workers keep
 * about N connections), except, when the image's first response is a whole body, segment 0: that is the
 * start of it, and the response is closed then (what the origin had already sent beyond segment 0
 * is the only byte fetched in vain). Each segment is a
 * {@link ResumingBody}: a segment that breaks is resumed from its own offset, with the attempts and
 * back-off of a resumed fill; one that cannot be (attempts spent, validator changed, a 200) fails
 * the whole body, and the reader gets that failure instead of more bytes.
 *
 * <p>Memory: one buffer of one segment per connection, allocated on the heap on the first read
 * and reused, as many as the process's {@link SegmentMemory} has room for (the body runs with
 * that many connections, given back at {@link #close}); a worker takes the next segment only when
 * a buffer is free, which is when the reader finished a segment, so at most that many segments are
 * in flight, and the reader's segment is always one of them. With no room for one buffer the body
 * is read as one resuming range over one connection, as a fill without segments is. Buffers
 * rather than writes at the file's offsets keep the fill's file strictly sequential (readers,
 * digests and sparse writes need nothing new).
 *
 * <p>Threads: one worker per connection, started on the first read, each fetching one segment at a
 * time. {@link #lock} guards the window, the free buffers, each segment's {@code filled} count and
 * current body, the failure and the closed flag; a segment's buffer is written only by its worker
 * (beyond {@code filled}) and read only by the reader (below it). One reader thread;
 * {@link #close} may come from any thread and closes every connection in flight.
 */
final class SegmentedBody implements ReadableByteChannel {
  private static final Logger log = LoggerFactory.getLogger(SegmentedBody.class);
  /** Bytes per segment: one range request, and one buffer per connection. */
  static final int SEGMENT_SIZE = 4 << 20;
  private static final ThreadFactory THREADS = DaemonThreads.named("imagecache-segment");

  private final String description;
  private final long size;
  private final int segmentSize;
  private final int connections;
  private final int attempts;
  private final SegmentRange.Opener opener;
  private final SegmentMemory memory;
  private final long segmentCount;

  private final Object lock = new Object();
  /** The first response's body, if any, until segment 0's worker takes it; guarded by {@link #lock}. */
  private ReadableByteChannel first;
  /** Buffers no segment holds; guarded by {@link #lock}. */
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  /**
   * Segments in flight, segment {@code i} in slot {@code i % window.length}, one slot per buffer
   * taken; allocated on the first read; guarded by {@link #lock}.
   */
  private Segment[] window = new Segment[0];
  /** The whole body over one connection, when no buffer could be taken; guarded by {@link #lock}. */
  private ReadableByteChannel sequential;
  /** The next segment a worker takes; guarded by {@link #lock}. */
  private long nextSegment;
  /** The segment the reader is in; guarded by {@link #lock}. */
  private long readerSegment;
  private IOException failure;
  private boolean started;
  private boolean closed;
  /** Bytes given to the reader; reader thread only. */
  private long position;

  /**
   * A body of {@code size} bytes, whose first response's body is {@code first} if one was sent, fetched in
   * segments of {@code segmentSize} over up to {@code connections} connections, each segment
   * resumed up to {@code attempts} times; {@code opener} sends the range requests; the buffers
   * come out of {@code memory}.
   */
  SegmentedBody(String description, Optional<ReadableByteChannel> first, long size, int segmentSize,
      int connections, int attempts, SegmentRange.Opener opener, SegmentMemory memory) {
    if (size <= 0 || segmentSize <= 0 || connections < 1 || attempts < 0) {
      throw new IllegalArgumentException("size " + size + ", segment size " + segmentSize
          + ", connections " + connections + ", attempts " + attempts);
    }
    this.description = Objects.requireNonNull(description, "description");
    this.first = first.orElse(null);
    this.size = size;
    this.segmentSize = segmentSize;
    this.attempts = attempts;
    this.opener = Objects.requireNonNull(opener, "opener");
    this.memory = Objects.requireNonNull(memory, "memory");
    this.segmentCount = (size + segmentSize - 1) / segmentSize;
    this.connections = (int) Math.min(connections, segmentCount);
  }

  /** One segment in flight: bytes {@code [start, end)} in {@code buffer}, the first {@code filled} in. */
  private static final class Segment {
    final long index;
    final long start;
    final long end;
    final ByteBuffer buffer;
    /** Bytes of the segment in {@link #buffer}; guarded by the body's lock. */
    int filled;
    /** The segment's (resuming) body; guarded by the body's lock. */
    ReadableByteChannel body;

    Segment(long index, long start, long end, ByteBuffer buffer) {
      this.index = index;
      this.start = start;
      this.end = end;
      this.buffer = buffer;
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ReadableByteChannel whole;
    synchronized (lock) {
      if (closed) {
        throw started ? new AsynchronousCloseException() : new ClosedChannelException();
      }
      startWorkers();
      whole = sequential;
    }
    return whole != null ? whole.read(dst) : readSegments(dst);
  }

  private int readSegments(ByteBuffer dst) throws IOException {
    Segment segment;
    int available;
    synchronized (lock) {
      while (true) {
        if (closed) {
          throw started ? new AsynchronousCloseException() : new ClosedChannelException();
        }
        if (failure != null) {
          throw failure;
        }
        if (position == size) {
          return -1;
        }
        if (!dst.hasRemaining()) {
          return 0;
        }
        segment = window[slot(readerSegment)];
        if (segment != null && segment.index == readerSegment
            && segment.filled > position - segment.start) {
          available = segment.filled - (int) (position - segment.start);
          break;
        }
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + description);
        }
      }
    }
    int offset = (int) (position - segment.start);
    int n = Math.min(available, dst.remaining());
    dst.put(segment.buffer.duplicate().position(offset).limit(offset + n));
    position += n;
    if (position == segment.end) {
      synchronized (lock) {
        window[slot(segment.index)] = null;
        free.add(segment.buffer);
        readerSegment++;
        lock.notifyAll();
      }
    }
    return n;
  }

  /**
   * Takes the buffers memory has room for, allocates them and starts one worker each, once; or,
   * with no room, opens the whole body over one connection. Under {@link #lock}.
   */
  private void startWorkers() {
    if (started) {
      return;
    }
    started = true;
    int buffers = memory.take(connections, segmentSize);
    if (buffers == 0) {
      ReadableByteChannel start = first != null
          ? new LengthCheckedChannel(first, size, description)
          : new SegmentRange(opener, 0, size);
      first = null;
      sequential = new ResumingBody(description, start, attempts,
          offset -> new SegmentRange(opener, offset, size));
      log.info("{}: no memory left for segments (other fills hold it); fetching over one connection",
          description);
      return;
    }
    window = new Segment[buffers];
    for (int i = 0; i < buffers; i++) {
      free.add(ByteBuffer.allocate(segmentSize));
    }
    log.debug("{}: {} bytes in {} segments of {} over {} of {} connections", description, size,
        segmentCount, segmentSize, buffers, connections);
    for (int i = 0; i < buffers; i++) {
      THREADS.newThread(this::work).start();
    }
  }

  /** A worker: fetches the next segment while there is one and a buffer for it. */
  private void work() {
    while (true) {
      Segment segment;
      synchronized (lock) {
        while (!closed && failure == null && nextSegment < segmentCount && free.isEmpty()) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (closed || failure != null || nextSegment >= segmentCount) {
          return;
        }
        segment = take(nextSegment++);
      }
      try {
        fetch(segment);
      } catch (IOException e) {
        fail(e);
        return;
      } catch (RuntimeException | Error e) {
        fail(new IOException(description + ": fetching a segment failed", e));
        throw e;
      }
    }
  }

  /** Segment {@code index} with a free buffer, in the window, with its body; under {@link #lock}. */
  private Segment take(long index) {
    long start = index * segmentSize;
    long end = Math.min(size, start + segmentSize);
    Segment segment = new Segment(index, start, end, free.poll().clear());
    ReadableByteChannel body;
    if (index == 0 && first != null) {
      body = new LengthCheckedChannel(first, end, description);
      first = null;
    } else {
      body = new SegmentRange(opener, start, end);
    }
    segment.body = new ResumingBody(description + " (bytes " + start + "-" + (end - 1) + ")",
        body, attempts, offset -> new SegmentRange(opener, start + offset, end));
    window[slot(index)] = segment;
    return segment;
  }

  /** Reads the segment into its buffer, publishing each read to the reader. */
  private void fetch(Segment segment) throws IOException {
    ReadableByteChannel body;
    synchronized (lock) {
      body = segment.body;
    }
    try (body) {
      ByteBuffer into = segment.buffer.duplicate().limit((int) (segment.end - segment.start));
      while (into.hasRemaining()) {
        int n = body.read(into);
        if (n < 0) {
          throw new EOFException(description + ": bytes " + segment.start + "-" + (segment.end - 1)
              + " ended after " + into.position());
        }
        if (n > 0) {
          synchronized (lock) {
            segment.filled += n;
            lock.notifyAll();
          }
        }
      }
    }
  }

  /** Fails the body (the first failure wins) and stops every segment in flight. */
  private void fail(IOException e) {
    List<ReadableByteChannel> bodies;
    synchronized (lock) {
      if (closed || failure != null) {
        return;
      }
      failure = e;
      bodies = bodiesInFlight();
      lock.notifyAll();
    }
    log.debug("{}: a segment failed, stopping the others", description, e);
    bodies.forEach(body -> QuietClose.close(body, "a segment's body"));
  }

  /** The bodies of the first response and of the segments in flight; under {@link #lock}. */
  private List<ReadableByteChannel> bodiesInFlight() {
    List<ReadableByteChannel> bodies = new ArrayList<>();
    if (first != null) {
      bodies.add(first);
      first = null;
    }
    if (sequential != null) {
      bodies.add(sequential);
    }
    for (Segment segment : window) {
      if (segment != null) {
        bodies.add(segment.body);
      }
    }
    return bodies;
  }

  private int slot(long index) {
    return (int) (index % window.length);
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  /** Closes every connection in flight, ends the workers and gives the buffers' memory back. */
  @Override
  public void close() {
    List<ReadableByteChannel> bodies;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      bodies = bodiesInFlight();
      free.clear();
      memory.giveBack(window.length, segmentSize);
      lock.notifyAll();
    }
    bodies.forEach(body -> QuietClose.close(body, "a segment's body"));
  }
}
