package io.imagecache.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler on a {@link MutableClock} that runs nothing by itself (in the manner of OkHttp's
 * {@code TaskFaker}): tasks wait in a queue ordered by due time, and run on the test's thread when
 * the test calls {@link #runDue()} or moves time with {@link #advance(Duration)}. Tasks may be
 * scheduled from any thread.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final MutableClock clock;
  /** Guarded by this. Queued tasks, the earliest due first, ties in scheduling order. */
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  /** Guarded by this. */
  private long sequence;
  private volatile boolean shutdown;

  public ManualScheduler(MutableClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Runs every task due at the clock's current time (and those they make due); returns how many. */
  public int runDue() {
    return runUntil(clock.instant());
  }

  /**
   * Moves the clock forward by {@code step}, stopping at each task's due time to run it, and
   * returns how many tasks ran.
   */
  public int advance(Duration step) {
    return runUntil(clock.instant().plus(step));
  }

  /** How many tasks are queued, periodic ones included. */
  public synchronized int queued() {
    return queue.size();
  }

  private int runUntil(Instant until) {
    int ran = 0;
    while (true) {
      Task<?> next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(until)) {
          break;
        }
        queue.poll();
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.run();
      ran++;
    }
    if (until.isAfter(clock.instant())) {
      clock.set(until);
    }
    return ran;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command, null), after(delay, unit), null, false));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, after(delay, unit), null, false));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command, null), after(initialDelay, unit),
        positive(period, unit), true));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command, null), after(initialDelay, unit),
        positive(delay, unit), false));
  }

  /** Queues {@code command} as due now: it runs at the next {@link #runDue()} or advance. */
  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    return pending;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  private Instant after(long delay, TimeUnit unit) {
    return clock.instant().plusNanos(Math.max(0, unit.toNanos(delay)));
  }

  private static Duration positive(long period, TimeUnit unit) {
    if (period <= 0) {
      throw new IllegalArgumentException("period must be > 0: " + period);
    }
    return Duration.ofNanos(unit.toNanos(period));
  }

  private synchronized <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("the scheduler is shut down");
    }
    task.sequence = sequence++;
    queue.add(task);
    return task;
  }

  private synchronized void dequeue(Task<?> task) {
    queue.remove(task);
  }

  /** A queued task: one-shot, or periodic at a fixed rate or with a fixed delay. */
  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final Duration period;
    private final boolean fixedRate;
    private volatile Instant due;
    private long sequence;

    Task(Callable<V> callable, Instant due, Duration period, boolean fixedRate) {
      super(callable);
      this.due = due;
      this.period = period;
      this.fixedRate = fixedRate;
    }

    @Override
    public boolean isPeriodic() {
      return period != null;
    }

    @Override
    public void run() {
      if (!isPeriodic()) {
        super.run();
      } else if (runAndReset() && !shutdown) {
        due = (fixedRate ? due : clock.instant()).plus(period);
        enqueue(this);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      dequeue(this);
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due));
    }

    @Override
    public int compareTo(Delayed other) {
      if (other instanceof Task<?> task) {
        int byDue = due.compareTo(task.due);
        return byDue != 0 ? byDue : Long.compare(sequence, task.sequence);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
