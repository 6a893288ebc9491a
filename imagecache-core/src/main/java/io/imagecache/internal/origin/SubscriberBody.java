package io.imagecache.internal.origin;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A body the JDK client delivers, as a blocking {@link BodyChannel}, for one reader thread: the
 * origin's HTTPS bodies, and plain ones {@link PlainHttp} leaves to the JDK client.
 *
 * <p>It is the {@link HttpResponse.BodySubscriber} itself: the client hands it buffers one list at a
 * time (one list requested ahead, so memory stays bounded), and {@link #read} waits for the next list
 * at most the idle timeout. That wait is the idle-read timeout: an origin that stops sending makes the
 * blocked read fail with {@link OriginUnavailableException} instead of hanging, without a watchdog
 * thread and without interrupting anyone. A body that ends, or breaks, before the expected size fails
 * with an {@link java.io.EOFException} saying how many bytes came, so a short body never looks like a clean end.
 */
final class SubscriberBody extends BodyChannel implements HttpResponse.BodySubscriber<BodyChannel> {
  /** Queue marker: the body ended normally. */
  private static final Object END = new Object();
  /** Queue marker: {@link #close} was called; wakes a reader blocked in {@link #read}. */
  private static final Object CLOSED = new Object();

  private final long idleTimeoutNanos;

  /** Lists of buffers, a Throwable, END or CLOSED; filled by the client's threads, drained by the reader. */
  private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();

  /** The client's subscription; set once by onSubscribe, guarded by {@code this} with {@link #cancelled}. */
  private Flow.Subscription subscription;
  /** True once close() has run; guarded by {@code this}. */
  private boolean cancelled;
  /** True once the body ended normally or failed: nothing left to cancel. Written by the client's threads. */
  private volatile boolean terminated;

  // Reader-thread state (a channel has one reader at a time; handing it to another thread must publish it).
  private Iterator<ByteBuffer> currentList = List.<ByteBuffer>of().iterator();
  private ByteBuffer current = ByteBuffer.allocate(0);

  /**
   * A body from {@code originName} (for messages) that must be exactly {@code expectedSize} bytes
   * when known, and must never be silent for longer than {@code idleTimeout}.
   */
  SubscriberBody(String originName, Duration idleTimeout, OptionalLong expectedSize) {
    super(originName, expectedSize);
    this.idleTimeoutNanos = saturatedNanos(idleTimeout);
  }

  // ---- BodySubscriber side (the client's threads)

  @Override
  public CompletionStage<BodyChannel> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancelNow;
    synchronized (this) {
      cancelNow = cancelled || subscription != null;
      if (!cancelNow) {
        subscription = s;
      }
    }
    if (cancelNow) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    arrivals.add(buffers);
  }

  @Override
  public void onError(Throwable failure) {
    terminated = true;
    arrivals.add(failure);
  }

  @Override
  public void onComplete() {
    terminated = true;
    arrivals.add(END);
  }

  // ---- channel side (the reader thread)

  @Override
  int next(ByteBuffer dst) throws IOException {
    while (!current.hasRemaining()) {
      if (currentList.hasNext()) {
        current = currentList.next();
      } else if (!takeNextList()) {
        return -1;
      }
    }
    int n = Math.min(dst.remaining(), current.remaining());
    ByteBuffer slice = current.slice();
    slice.limit(n);
    dst.put(slice);
    current.position(current.position() + n);
    return n;
  }

  /** Waits for the next list of buffers; false at the normal end of the body. */
  @SuppressWarnings("unchecked")
  private boolean takeNextList() throws IOException {
    Object next;
    try {
      next = arrivals.poll(idleTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while reading from " + originName);
    }
    if (next == null) {
      close();
      throw idle(idleTimeoutNanos);
    }
    if (next == END) {
      return false;
    }
    if (next == CLOSED) {
      throw new AsynchronousCloseException();
    }
    if (next instanceof Throwable) {
      failed();
      throw broken((Throwable) next);
    }
    currentList = ((List<ByteBuffer>) next).iterator();
    requestMore();
    return true;
  }

  private void requestMore() {
    Flow.Subscription s;
    synchronized (this) {
      s = subscription;
    }
    if (s != null) {
      s.request(1);
    }
  }



  /** Stops the body: an unfinished download is cancelled (the connection is dropped), a blocked read fails. */
  @Override
  public void close() {
    Flow.Subscription s;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      s = subscription;
    }
    failed();
    arrivals.add(CLOSED);
    if (s != null && !terminated) {
      s.cancel();
    }
  }

}
