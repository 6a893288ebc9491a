package io.imagecache.internal.origin;

import io.imagecache.internal.DaemonThreads;
import io.imagecache.internal.fill.OffsetBody;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image body fetched in consecutive segments over several connections at once. A fill writes
 * it at its offsets ({@link OffsetBody}): each connection's thread writes its segment's bytes into
 * the fill's file where they belong, and the fill's thread publishes only the contiguous prefix,
 * so single-flight, read-while-write, digests and verification stay as they are, and they only
 * ever see the contiguous prefix. Anything else (a fleet's body that may switch to peers) reads it
 * as one sequential stream, the segments then buffered on the heap.
 *
 * <p>Every segment is a range request ({@link SegmentRange}, {@code If-Range} checked on every 206
 * by the sender; over plain HTTP on a connection a finished segment left open, so N workers keep
 * about N connections), except, when the image's first response is a whole body, segment 0: that
 * is the start of it, and the response is closed then (what the origin had already sent beyond
 * segment 0 is the only byte fetched in vain). Each segment is a {@link ResumingBody}: a segment
 * that breaks is resumed from its own offset, with the attempts and back-off of a resumed fill;
 * one that cannot be (attempts spent, validator changed, a 200) fails the whole body, and the
 * reader gets that failure instead of more bytes.
 *
 * <p>Memory and the window: a connection needs a buffer, taken from the process's
 * {@link SegmentMemory} (the body runs with as many connections as it has room for, given back at
 * {@link #close}): written at offsets, a {@link #READ_SIZE} direct buffer its thread reads into and
 * writes from; read as a stream, one segment's heap buffer, which the reader copies out of. A
 * worker takes the next segment only while it is within the window of segments after the one the
 * prefix (or the reader) is in: {@link #AHEAD_PER_CONNECTION} per connection at offsets (the bytes
 * ahead wait in the page cache, not on the heap), one per buffer as a stream. With no room for
 * one buffer the body is fetched as one resuming range over one connection, as a fill without
 * segments is.
 *
 * <p>Threads: one worker per connection, started on the first read or write, each fetching one
 * segment at a time. {@link #lock} guards the window, each segment's {@code filled} count and
 * current body, the segment the prefix is in, the failure and the closed flag. Written at offsets,
 * a segment's bytes below {@code filled} are in the file; as a stream, in its buffer, written only
 * by its worker (beyond {@code filled}) and read only by the reader (below it). One reader (or
 * writeTo) thread; {@link #close} may come from any thread and closes every connection in flight.
 */
final class SegmentedBody implements ReadableByteChannel, OffsetBody {
  private static final Logger log = LoggerFactory.getLogger(SegmentedBody.class);
  /** Bytes per segment: one range request, and, read as a stream, one buffer per connection. */
  static final int SEGMENT_SIZE = 4 << 20;
  /** A connection's read buffer when the body is written at its offsets. */
  static final int READ_SIZE = 256 << 10;
  /** Segments in the window per connection when written at offsets. */
  static final int AHEAD_PER_CONNECTION = 2;
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
  /**
   * Segments in flight or not yet consumed, segment {@code i} in slot {@code i % window.length};
   * allocated at the start; guarded by {@link #lock}.
   */
  private Segment[] window = new Segment[0];
  /** Read as a stream: slot {@code i}'s segment buffer, allocated at the start; else empty. */
  private ByteBuffer[] segmentBuffers = new ByteBuffer[0];
  /** The buffers taken from {@link #memory}, and the size of each, given back at close. */
  private int buffersTaken;
  private int bufferSize;
  /** The whole body over one connection, when no buffer could be taken; guarded by {@link #lock}. */
  private ReadableByteChannel sequential;
  /** Written at offsets: where the workers write, else null; set once before they start. */
  private OffsetBody.Target target;
  /** The next segment a worker takes; guarded by {@link #lock}. */
  private long nextSegment;
  /** The segment the reader (or the published prefix) is in; guarded by {@link #lock}. */
  private long readerSegment;
  private IOException failure;
  private boolean started;
  private boolean closed;
  /** Bytes given to the reader (or published); reader thread only. */
  private long position;

  /**
   * A body of {@code size} bytes, whose first response's body is {@code first} if one was sent,
   * fetched in segments of {@code segmentSize} over up to {@code connections} connections, each segment
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

  /** One segment in flight: bytes {@code [start, end)}, the first {@code filled} of them fetched. */
  private static final class Segment {
    final long index;
    final long start;
    final long end;
    /** Bytes of the segment fetched (in the file, or in its buffer); guarded by the body's lock. */
    int filled;
    /** The segment's (resuming) body; guarded by the body's lock. */
    ReadableByteChannel body;

    Segment(long index, long start, long end) {
      this.index = index;
      this.start = start;
      this.end = end;
    }

    boolean complete() {
      return filled == end - start;
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ReadableByteChannel whole;
    synchronized (lock) {
      checkOpen();
      if (target != null) {
        throw new IllegalStateException(description + " is being written at its offsets");
      }
      start(null);
      whole = sequential;
    }
    return whole != null ? whole.read(dst) : readSegments(dst);
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw started ? new AsynchronousCloseException() : new ClosedChannelException();
    }
  }

  private int readSegments(ByteBuffer dst) throws IOException {
    Segment segment;
    int available;
    synchronized (lock) {
      while (true) {
        checkOpen();
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
        await();
      }
    }
    int offset = (int) (position - segment.start);
    int n = Math.min(available, dst.remaining());
    dst.put(segmentBuffers[slot(segment.index)].duplicate().position(offset).limit(offset + n));
    position += n;
    if (position == segment.end) {
      synchronized (lock) {
        window[slot(segment.index)] = null;
        readerSegment++;
        lock.notifyAll();
      }
    }
    return n;
  }

  /**
   * Has the workers write every segment at its offset into {@code target} and publishes the
   * contiguous prefix as it grows; with no memory for a connection's buffer, reads the body over
   * one connection into {@code buffer} and writes it in order.
   */
  @Override
  public void writeTo(OffsetBody.Target target, ByteBuffer buffer) throws IOException {
    ReadableByteChannel whole;
    synchronized (lock) {
      checkOpen();
      if (started) {
        throw new IllegalStateException(description + " was read already");
      }
      start(Objects.requireNonNull(target, "target"));
      whole = sequential;
    }
    if (whole != null) {
      writeInOrder(whole, target, buffer);
    } else {
      publishPrefix(target);
    }
  }

  /** Reads {@code whole} to its end into {@code buffer}, writing and publishing each read. */
  private void writeInOrder(ReadableByteChannel whole, OffsetBody.Target target, ByteBuffer buffer)
      throws IOException {
    while (true) {
      buffer.clear();
      int n = whole.read(buffer);
      if (n < 0) {
        return;
      }
      buffer.flip();
      target.writeAt(position, buffer);
      position += n;
      target.advance(position);
    }
  }

  /** Waits for the prefix to grow and publishes it, until it is the whole body. */
  private void publishPrefix(OffsetBody.Target target) throws IOException {
    while (position < size) {
      long end;
      synchronized (lock) {
        while (true) {
          checkOpen();
          if (failure != null) {
            throw failure;
          }
          end = position;
          boolean moved = false;
          Segment segment;
          while ((segment = window[slot(readerSegment)]) != null
              && segment.index == readerSegment) {
            end = segment.start + segment.filled;
            if (!segment.complete()) {
              break;
            }
            window[slot(readerSegment)] = null;
            readerSegment++;
            moved = true;
          }
          if (moved) {
            lock.notifyAll();
          }
          if (end > position) {
            break;
          }
          await();
        }
      }
      target.advance(end);
      position = end;
    }
  }

  /** Waits on {@link #lock} (held) for a worker's or the reader's progress. */
  private void await() throws InterruptedIOException {
    try {
      lock.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + description);
    }
  }

  /**
   * Once: takes the buffers memory has room for and starts one worker each, writing at offsets
   * into {@code offsets} when not null; or, with no room, opens the whole body over one
   * connection. Under {@link #lock}.
   */
  private void start(OffsetBody.Target offsets) {
    if (started) {
      return;
    }
    started = true;
    target = offsets;
    bufferSize = offsets != null ? READ_SIZE : segmentSize;
    buffersTaken = memory.take(connections, bufferSize);
    if (buffersTaken == 0) {
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
    if (offsets != null) {
      window = new Segment[buffersTaken * AHEAD_PER_CONNECTION];
    } else {
      window = new Segment[buffersTaken];
      segmentBuffers = new ByteBuffer[buffersTaken];
      for (int i = 0; i < buffersTaken; i++) {
        segmentBuffers[i] = ByteBuffer.allocate(segmentSize);
      }
    }
    log.debug("{}: {} bytes in {} segments of {} over {} of {} connections{}", description, size,
        segmentCount, segmentSize, buffersTaken, connections,
        offsets != null ? ", written at their offsets" : "");
    for (int i = 0; i < buffersTaken; i++) {
      ByteBuffer readBuffer = offsets != null ? ByteBuffer.allocateDirect(READ_SIZE) : null;
      THREADS.newThread(() -> work(readBuffer)).start();
    }
  }

  /**
   * A worker: fetches the next segment while there is one within the window; written at offsets,
   * through {@code readBuffer}.
   */
  private void work(ByteBuffer readBuffer) {
    while (true) {
      Segment segment;
      synchronized (lock) {
        while (!closed && failure == null && nextSegment < segmentCount
            && nextSegment - readerSegment >= window.length) {
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
        if (readBuffer != null) {
          fetchAtOffsets(segment, readBuffer);
        } else {
          fetch(segment);
        }
      } catch (IOException e) {
        fail(e);
        return;
      } catch (RuntimeException | Error e) {
        fail(new IOException(description + ": fetching a segment failed", e));
        throw e;
      }
    }
  }

  /** Segment {@code index}, in the window, with its body; under {@link #lock}. */
  private Segment take(long index) {
    long start = index * segmentSize;
    long end = Math.min(size, start + segmentSize);
    Segment segment = new Segment(index, start, end);
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
    ByteBuffer into = segmentBuffers[slot(segment.index)].duplicate()
        .clear().limit((int) (segment.end - segment.start));
    try (ReadableByteChannel body = bodyOf(segment)) {
      while (into.hasRemaining()) {
        int n = body.read(into);
        if (n < 0) {
          throw endedShort(segment, into.position());
        }
        if (n > 0) {
          fetched(segment, into.position());
        }
      }
    }
  }

  /** Reads the segment through {@code buffer}, writing each read at its offset into the target. */
  private void fetchAtOffsets(Segment segment, ByteBuffer buffer) throws IOException {
    long length = segment.end - segment.start;
    long done = 0;
    try (ReadableByteChannel body = bodyOf(segment)) {
      while (done < length) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
        int n = body.read(buffer);
        if (n < 0) {
          throw endedShort(segment, done);
        }
        if (n > 0) {
          buffer.flip();
          target.writeAt(segment.start + done, buffer);
          done += n;
          fetched(segment, done);
        }
      }
    }
  }

  private ReadableByteChannel bodyOf(Segment segment) {
    synchronized (lock) {
      return segment.body;
    }
  }

  /** The segment's first {@code filled} bytes are in: wakes the reader if it waits for them. */
  private void fetched(Segment segment, long filled) {
    synchronized (lock) {
      segment.filled = (int) filled;
      if (segment.index == readerSegment) {
        lock.notifyAll();
      }
    }
  }

  private EOFException endedShort(Segment segment, long after) {
    return new EOFException(description + ": bytes " + segment.start + "-" + (segment.end - 1)
        + " ended after " + after);
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
      memory.giveBack(buffersTaken, bufferSize);
      lock.notifyAll();
    }
    bodies.forEach(body -> QuietClose.close(body, "a segment's body"));
  }
}
