package io.imagecache.internal.maintenance;

import io.imagecache.ImageId;
import io.imagecache.PrefetchState.Status;
import io.imagecache.PrefetchState;
import io.imagecache.internal.Throwables;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches queued images into the cache on a bounded pool of workers, in the order they were
 * queued, retrying failures with exponential back-off and keeping the ones it gave up on visible.
 *
 * <pre>
 * Design
 * ======
 * States (per image id, see PrefetchState.Status).
 *   QUEUED    waiting in the ready line for a worker
 *   FETCHING  a worker started the fetch and waits for its outcome
 *   RETRYING  the last attempt failed; a retry task on the scheduler puts it back in line at
 *             nextAttemptAt
 *   FAILED    maxAttempts attempts failed; kept with the last error until remove() or a new
 *             submit()
 *   submit: (unknown | FAILED) -&gt; QUEUED. A worker: QUEUED -&gt; FETCHING -&gt; (gone on success
 *   | RETRYING | FAILED). The retry task: RETRYING -&gt; QUEUED. remove: any -&gt; gone.
 *   A success forgets the id (the cache's fetch committed the image, and the commit removed its
 *   queue marker).
 *
 * Threads.  policy.workers() worker threads from the injected ThreadFactory, started by start() and
 *   stopped by close(); workers(n) changes the count while the queue runs: more workers are started
 *   at once, surplus ones exit when they next look for work (after their current fetch). A worker
 *   takes the oldest QUEUED entry, calls its Fetch outside the lock and blocks until the returned
 *   future completes, so at most n fetches are in flight (once the surplus workers' fetches end).
 *   Every attempt runs inside catch (Throwable): a fetch that throws, returns null or fails its
 *   future is a failed attempt, logged at WARN, and the worker goes on with the next image. A
 *   future that never completes would hold its worker: the cache's fills always end (the origin's
 *   idle timeout bounds a stalled body). Retries are timed by the injected scheduler (its task only
 *   moves the entry back into the line); nextAttemptAt is read from the injected Clock, for display
 *   only.
 *
 * Locks.  lock guards entries, ready, closed, workers, wantedWorkers and every field of every
 *   Entry. It is held only to read or change those: never while a Fetch starts or is awaited,
 *   never while logging. A worker
 *   that finishes an attempt acts only if the entry is still the one in entries (identity): an
 *   entry removed or replaced meanwhile is left alone, so remove() never waits for a fetch.
 * </pre>
 *
 * <p>{@link #remove} does not stop a fetch in progress: the fill it started (which clients may
 * share) goes on and may still cache the image; the queue just forgets the id.
 */
final class PrefetchQueue implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(PrefetchQueue.class);
  /** How long close() waits, in total, for the workers to stop. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** Starts one attempt to fetch an image; the future completes when the image is cached. */
  @FunctionalInterface
  public interface Fetch {
    /**
     * Starts fetching and returns a future that completes normally once the image is cached, or
     * exceptionally with why it was not. May throw instead of returning a failed future.
     */
    CompletableFuture<?> start() throws Exception;
  }

  private final PrefetchPolicy policy;
  private final ScheduledExecutorService retryScheduler;
  private final Clock clock;
  /** Makes every worker thread, those of workers(n) included. */
  private final ThreadFactory workerThreads;
  /** lock. The live workers: made by the constructor or workers(n); a worker removes itself. */
  private final List<Thread> workers = new ArrayList<>();
  /** lock. How many workers the queue should have; surplus workers exit when they look for work. */
  private int wantedWorkers;

  /** Guards everything marked "lock"; see the design note. */
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when an entry joins the ready line or the queue closes. */
  private final Condition readyOrClosed = lock.newCondition();
  /** lock. Every known id, in the order it was (last) submitted. */
  private final Map<ImageId, Entry> entries = new LinkedHashMap<>();
  /** lock. QUEUED entries, oldest first. */
  private final ArrayDeque<Entry> ready = new ArrayDeque<>();
  /** lock. Set once by close(). */
  private boolean closed;

  private PrefetchQueue(PrefetchPolicy policy, ThreadFactory workerThreads,
      ScheduledExecutorService retryScheduler, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.retryScheduler = Objects.requireNonNull(retryScheduler, "retryScheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.workerThreads = Objects.requireNonNull(workerThreads, "workerThreads");
    this.wantedWorkers = policy.workers();
    for (int i = 0; i < policy.workers(); i++) {
      // Not started here: start() starts them once the queue is fully built.
      workers.add(newWorker(i));
    }
  }

  private Thread newWorker(int index) {
    Thread worker = workerThreads.newThread(this::work);
    if (worker == null) {
      throw new IllegalStateException(
          "the thread factory gave no thread for prefetch worker " + index);
    }
    return worker;
  }

  /**
   * A queue with {@code policy.workers()} workers from {@code workerThreads}, started; retries are
   * timed on {@code retryScheduler} (which the caller owns and shuts down after {@link #close}).
   */
  public static PrefetchQueue start(PrefetchPolicy policy, ThreadFactory workerThreads,
      ScheduledExecutorService retryScheduler, Clock clock) {
    PrefetchQueue queue = new PrefetchQueue(policy, workerThreads, retryScheduler, clock);
    queue.lock.lock();
    try {
      queue.workers.forEach(Thread::start);
    } finally {
      queue.lock.unlock();
    }
    return queue;
  }

  /**
   * Has {@code count} images fetched at once from now on: more workers start at once; surplus
   * workers exit when they next look for work, so a fetch in progress is never cut. Nothing on a
   * closed queue.
   */
  public void workers(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("workers must be >= 1: " + count);
    }
    lock.lock();
    try {
      if (closed || count == wantedWorkers) {
        return;
      }
      int before = wantedWorkers;
      wantedWorkers = count;
      // Surplus workers still fetching leave when done; until then they count as live.
      for (int i = workers.size(); i < count; i++) {
        Thread worker = newWorker(i);
        workers.add(worker);
        worker.start();
      }
      readyOrClosed.signalAll();
      LOG.info("prefetch workers: {} -> {}", before, count);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues {@code id}, to be fetched with {@code fetch}. Returns false, doing nothing, when the id
   * is queued, being fetched or waiting for a retry already, or when the queue is closed; an id
   * given up as FAILED starts afresh (attempts 0, at the end of the line).
   */
  public boolean submit(ImageId id, Fetch fetch) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fetch, "fetch");
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      Entry known = entries.get(id);
      if (known != null && known.status != Status.FAILED) {
        return false;
      }
      entries.remove(id);
      Entry entry = new Entry(id, fetch);
      entries.put(id, entry);
      ready.addLast(entry);
      readyOrClosed.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets {@code id}: a waiting entry is dropped, a pending retry cancelled, a failure
   * forgotten. A fetch in progress is not stopped (see the class note). Returns whether the id
   * was known.
   */
  public boolean remove(ImageId id) {
    lock.lock();
    try {
      Entry entry = entries.remove(id);
      if (entry == null) {
        return false;
      }
      forget(entry);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code id} only if it was given up as FAILED; returns whether it was. */
  public boolean removeFailed(ImageId id) {
    lock.lock();
    try {
      Entry entry = entries.get(id);
      if (entry == null || entry.status != Status.FAILED) {
        return false;
      }
      entries.remove(id);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets every id, as {@link #remove} does each; returns how many were known. */
  public int removeAll() {
    lock.lock();
    try {
      int known = entries.size();
      entries.values().forEach(this::forget);
      entries.clear();
      return known;
    } finally {
      lock.unlock();
    }
  }

  /** Every id the queue knows, in the order it was submitted. */
  public List<PrefetchState> states() {
    lock.lock();
    try {
      return entries.values().stream().map(Entry::snapshot).toList();
    } finally {
      lock.unlock();
    }
  }

  /** What the queue knows about {@code id}, if anything. */
  public Optional<PrefetchState> state(ImageId id) {
    lock.lock();
    try {
      return Optional.ofNullable(entries.get(id)).map(Entry::snapshot);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the workers: no new attempt starts, pending retries are cancelled, workers waiting for
   * a fetch are interrupted (the fetch itself goes on) and waited for, a bounded time. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      entries.values().forEach(Entry::cancelRetry);
      ready.clear();
      readyOrClosed.signalAll();
    } finally {
      lock.unlock();
    }
    List<Thread> stopping;
    lock.lock();
    try {
      stopping = List.copyOf(workers);
    } finally {
      lock.unlock();
    }
    stopping.forEach(Thread::interrupt);
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean interrupted = false;
    for (Thread worker : stopping) {
      if (worker == Thread.currentThread()) {
        continue;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(worker, Math.max(1, deadline - System.nanoTime()));
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (worker.isAlive()) {
        LOG.warn("prefetch worker {} did not stop within {} ms", worker.getName(),
            CLOSE_WAIT.toMillis());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- workers -------------------------------------------------------------------------------

  /** A worker's life: take the oldest ready entry, run one attempt, repeat until closed. */
  private void work() {
    while (true) {
      Optional<Attempt> next;
      try {
        next = take();
      } catch (InterruptedException e) {
        if (isClosed()) {
          return;
        }
        continue;
      }
      if (next.isEmpty()) {
        return;
      }
      try {
        run(next.get());
      } catch (Throwable t) {
        LOG.warn("prefetch worker caught an error and goes on: {}", Throwables.describe(t), t);
      }
    }
  }

  /**
   * The oldest ready entry, now FETCHING; empty once the queue is closed or when this worker is
   * surplus (it has left the live workers then).
   */
  private Optional<Attempt> take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (!closed && ready.isEmpty() && !surplus()) {
        readyOrClosed.await();
      }
      if (closed) {
        return Optional.empty();
      }
      if (surplus()) {
        workers.remove(Thread.currentThread());
        return Optional.empty();
      }
      Entry entry = ready.removeFirst();
      entry.status = Status.FETCHING;
      entry.attempts++;
      return Optional.of(new Attempt(entry, entry.fetch, entry.attempts));
    } finally {
      lock.unlock();
    }
  }

  /** Runs one attempt outside the lock and records its outcome. */
  private void run(Attempt attempt) {
    ImageId id = attempt.entry().id;
    LOG.debug("prefetch of {}: attempt {} of {}", id, attempt.number(), policy.maxAttempts());
    Throwable failure = null;
    try {
      CompletableFuture<?> outcome = Objects.requireNonNull(
          attempt.fetch().start(), "the prefetch fetch returned no future");
      outcome.get();
    } catch (InterruptedException e) {
      if (isClosed()) {
        return;
      }
      // Someone other than close() interrupted the worker: count the attempt and go on.
      failure = e;
    } catch (Throwable t) {
      failure = Throwables.unwrap(t);
    }
    if (failure == null) {
      succeeded(attempt);
    } else {
      failed(attempt, failure);
    }
  }

  private void succeeded(Attempt attempt) {
    Entry entry = attempt.entry();
    lock.lock();
    try {
      entries.remove(entry.id, entry);
    } finally {
      lock.unlock();
    }
    LOG.info("prefetched image {} (attempt {})", entry.id, attempt.number());
  }

  private void failed(Attempt attempt, Throwable failure) {
    Entry entry = attempt.entry();
    String reason = Throwables.describe(failure);
    Optional<Duration> retryIn;
    lock.lock();
    try {
      if (closed || entries.get(entry.id) != entry) {
        retryIn = Optional.empty();
        reason = null;
      } else {
        entry.lastError = Optional.of(reason);
        retryIn = attempt.number() < policy.maxAttempts()
            ? Optional.of(policy.retryDelay(attempt.number()))
            : Optional.empty();
        if (retryIn.isPresent()) {
          scheduleRetry(entry, retryIn.get());
        } else {
          entry.giveUp();
        }
      }
    } finally {
      lock.unlock();
    }
    if (reason == null) {
      LOG.info("prefetch of {} failed after it was removed or the queue closed: {}", entry.id,
          Throwables.describe(failure));
    } else if (retryIn.isPresent()) {
      LOG.warn("prefetch of {} failed (attempt {} of {}), retrying in {} ms: {}", entry.id,
          attempt.number(), policy.maxAttempts(), retryIn.get().toMillis(), reason);
    } else {
      LOG.warn("prefetch of {} failed (attempt {} of {}), giving up: {}", entry.id,
          attempt.number(), policy.maxAttempts(), reason);
    }
    // One line at WARN is the operator's; where the failure came from is for DEBUG.
    LOG.debug("prefetch of {}: attempt {} failed", entry.id, attempt.number(), failure);
  }

  /** Under lock: RETRYING until the scheduler puts the entry back in line. */
  private void scheduleRetry(Entry entry, Duration delay) {
    entry.status = Status.RETRYING;
    entry.nextAttemptAt = Optional.of(clock.instant().plus(delay));
    try {
      entry.retry = Optional.of(retryScheduler.schedule(
          () -> requeue(entry), delay.toNanos(), TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      entry.lastError =
          Optional.of(entry.lastError.orElse("") + " (no retry: " + Throwables.describe(e) + ")");
      entry.giveUp();
    }
  }

  /** The retry task: back in line, unless the entry was removed or replaced meanwhile. */
  private void requeue(Entry entry) {
    lock.lock();
    try {
      if (closed || entries.get(entry.id) != entry || entry.status != Status.RETRYING) {
        return;
      }
      entry.status = Status.QUEUED;
      entry.nextAttemptAt = Optional.empty();
      entry.retry = Optional.empty();
      ready.addLast(entry);
      readyOrClosed.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Under lock: drops a forgotten entry from the line and cancels its retry. */
  private void forget(Entry entry) {
    ready.remove(entry);
    entry.cancelRetry();
  }

  /** Under lock: whether there are more live workers than wanted (so this one may leave). */
  private boolean surplus() {
    return workers.size() > wantedWorkers;
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** One attempt a worker runs: the entry, its fetch and the attempt's 1-based number. */
  private record Attempt(Entry entry, Fetch fetch, int number) {}

  /** One known id. Every field is guarded by the queue's lock. */
  private static final class Entry {
    final ImageId id;
    /**
     * How to fetch the image; null once the entry is given up, so that the closure (and any
     * credential it holds) is released. A worker reads it only while the entry is QUEUED.
     */
    Fetch fetch;
    Status status = Status.QUEUED;
    int attempts;
    Optional<String> lastError = Optional.empty();
    Optional<Instant> nextAttemptAt = Optional.empty();
    Optional<ScheduledFuture<?>> retry = Optional.empty();

    Entry(ImageId id, Fetch fetch) {
      this.id = id;
      this.fetch = fetch;
    }

    void giveUp() {
      status = Status.FAILED;
      nextAttemptAt = Optional.empty();
      retry = Optional.empty();
      fetch = null;
    }

    void cancelRetry() {
      retry.ifPresent(task -> task.cancel(false));
      retry = Optional.empty();
    }

    PrefetchState snapshot() {
      return new PrefetchState(id, status, attempts, lastError, nextAttemptAt);
    }
  }
}
