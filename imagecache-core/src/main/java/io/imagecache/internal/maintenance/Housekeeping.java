package io.imagecache.internal.maintenance;

import io.imagecache.ImageCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's background maintenance on the facade's scheduler: the automatic size bound
 * ({@link SizeBound#enforce()}) after each commit and every prune interval, and a clean every
 * clean interval. Each task survives any failure (caught as {@link Throwable}, logged at WARN):
 * an escaping exception would make the scheduler drop the task silently. Thread-safe.
 */
public final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  /** A maintenance step that may fail in any way. */
  @FunctionalInterface
  public interface Task {
    void run() throws Exception;
  }

  private final ScheduledExecutorService scheduler;
  private final SizeBound bound;
  private final Task clean;
  /** Set while an after-commit check is queued and has not started; so at most one waits. */
  private final AtomicBoolean checkQueued = new AtomicBoolean();
  /** Set once by {@link #stop()}; a task that sees it does nothing. */
  private volatile boolean stopped;
  /** The periodic tasks; guarded by {@code this} (added by start, cancelled by stop). */
  private final List<ScheduledFuture<?>> periodic = new ArrayList<>();

  /** Keeps {@code bound}, and cleans through {@code clean}, on {@code scheduler}. */
  public Housekeeping(ScheduledExecutorService scheduler, SizeBound bound, Task clean) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.bound = Objects.requireNonNull(bound, "bound");
    this.clean = Objects.requireNonNull(clean, "clean");
  }

  /**
   * Starts the size check every {@code pruneInterval} and the clean every {@code cleanInterval},
   * each first after one interval. The first measurement of the size is the cache's (after its
   * start-up reconciliation, see {@link ImageCache#startBackgroundWork()}); until then each commit
   * asks for a size check. A scheduler that refuses the tasks (shut down) is logged: the cache
   * then works without them.
   */
  public synchronized void start(Duration pruneInterval, Duration cleanInterval) {
    try {
      periodic.add(every(pruneInterval, () -> run("automatic prune", bound::enforce)));
      periodic.add(every(cleanInterval, () -> run("periodic clean", clean)));
    } catch (RejectedExecutionException e) {
      LOG.warn("the scheduler refused the automatic prune and clean; they will not run: {}",
          e.toString());
    }
  }

  /**
   * Notes a commit of {@code bytes} and, when the cache may now be above the high-water mark,
   * asks for the size check soon, on the scheduler. Never blocks.
   */
  public void afterCommit(long bytes) {
    if (!bound.committed(bytes) || stopped || !checkQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.execute(() -> {
        checkQueued.set(false);
        run("automatic prune after a commit", bound::enforce);
      });
    } catch (RejectedExecutionException e) {
      checkQueued.set(false);
      LOG.debug("the scheduler refused the size check after a commit: {}", e.toString());
    }
  }

  /** Asks for the size check soon, on the scheduler: after the size bound changed. */
  public void checkSoon() {
    if (stopped) {
      return;
    }
    try {
      scheduler.execute(() -> run("automatic prune after a new size bound", bound::enforce));
    } catch (RejectedExecutionException e) {
      LOG.debug("the scheduler refused the size check after a new size bound: {}", e.toString());
    }
  }

  /** Cancels the periodic tasks; one that is running finishes, queued checks do nothing. */
  public synchronized void stop() {
    stopped = true;
    for (ScheduledFuture<?> task : periodic) {
      task.cancel(false);
    }
    periodic.clear();
  }

  private ScheduledFuture<?> every(Duration interval, Runnable task) {
    long nanos = interval.toNanos();
    return scheduler.scheduleWithFixedDelay(task, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} unless stopped; whatever it throws is logged, never rethrown. */
  private void run(String what, Task task) {
    if (stopped) {
      return;
    }
    try {
      task.run();
    } catch (Throwable t) {
      if (stopped) {
        LOG.debug("{} failed while the cache was closing: {}", what, t.toString());
      } else {
        LOG.warn("{} failed; it runs again on schedule: {}", what, t.toString(), t);
      }
    }
  }
}
