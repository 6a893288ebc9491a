package io.imagecache;

import io.imagecache.internal.fill.ImageSource;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process origin for fill tests: serves given bytes with a given expectation and can pause
 * after N bytes (until {@link #resume()} or until the response is closed, as a socket close
 * would end a blocked read), throw after N bytes, end early after N bytes, or fail to open. It
 * counts how often it was opened. Configure it before the first open.
 */
final class ScriptedSource implements ImageSource {
  private static final Duration PAUSE_LIMIT = Duration.ofSeconds(30);
  private static final int READ_SIZE = 64 * 1024;

  private final byte[] content;
  private ExpectedContent expected;
  private long pauseAt = -1;
  private long failAt = -1;
  private long endAt;
  private IOException openFailure;
  private final AtomicInteger opens = new AtomicInteger();
  private final CountDownLatch paused = new CountDownLatch(1);
  private final CountDownLatch resumed = new CountDownLatch(1);

  ScriptedSource(byte[] content, ExpectedContent expected) {
    this.content = content;
    this.expected = expected;
    this.endAt = content.length;
  }

  /** A source of {@code content} that announces its size only. */
  static ScriptedSource of(byte[] content) {
    return new ScriptedSource(
        content, new ExpectedContent(OptionalLong.of(content.length), java.util.List.of()));
  }

  ScriptedSource pauseAfter(long bytes) {
    pauseAt = bytes;
    return this;
  }

  ScriptedSource failAfter(long bytes) {
    failAt = bytes;
    return this;
  }

  ScriptedSource endAfter(long bytes) {
    endAt = bytes;
    return this;
  }

  ScriptedSource failOnOpen(IOException failure) {
    openFailure = failure;
    return this;
  }

  /** How often {@link #open()} was called. */
  int opens() {
    return opens.get();
  }

  /** Waits until the body has paused; false when it did not within {@code timeout}. */
  boolean awaitPaused(Duration timeout) throws InterruptedException {
    return paused.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Lets a paused body go on. */
  void resume() {
    resumed.countDown();
  }

  @Override
  public SourceResponse open() throws IOException {
    opens.incrementAndGet();
    if (openFailure != null) {
      throw openFailure;
    }
    Body body = new Body();
    return SourceResponse.of(expected, body);
  }

  /** The body channel: one reader thread, closable from any thread. */
  private final class Body implements ReadableByteChannel {
    private long position;
    private volatile boolean closed;

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (closed) {
        throw new ClosedChannelException();
      }
      if (position == pauseAt) {
        pauseAt = -1;
        paused.countDown();
        awaitResume();
        if (closed) {
          throw new AsynchronousCloseException();
        }
      }
      if (position == failAt) {
        throw new IOException("origin dropped the connection after " + position + " bytes");
      }
      if (position >= endAt) {
        return -1;
      }
      long limit = endAt;
      if (pauseAt > position) {
        limit = Math.min(limit, pauseAt);
      }
      if (failAt > position) {
        limit = Math.min(limit, failAt);
      }
      int n = (int) Math.min(Math.min(dst.remaining(), READ_SIZE), limit - position);
      dst.put(content, (int) position, n);
      position += n;
      return n;
    }

    private void awaitResume() throws IOException {
      try {
        if (!resumed.await(PAUSE_LIMIT.toNanos(), TimeUnit.NANOSECONDS)) {
          throw new IOException("the test never resumed the paused source");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while paused", e);
      }
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
      resumed.countDown();
    }
  }
}
