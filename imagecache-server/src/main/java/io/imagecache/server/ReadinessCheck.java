package io.imagecache.server;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One named readiness check: a blocking probe run on the blocking executor, answered within a
 * timeout. At most one probe of a check runs at a time: a probe that hangs (a database that does
 * not answer) is shared by the requests that come meanwhile instead of taking a thread each.
 */
final class ReadinessCheck {
  /** A probe: returns a detail when the thing checked answers, throws when it does not. */
  @FunctionalInterface
  interface Probe {
    String run() throws Exception;
  }

  /** What one check found: whether it passed, and a line saying what it saw. */
  record Result(boolean ok, String detail) {}

  private final String name;
  private final Probe probe;
  private final Executor blocking;
  private final Duration timeout;
  /** The probe running or last run; guarded by this. */
  private CompletableFuture<Result> running;

  ReadinessCheck(String name, Probe probe, Executor blocking, Duration timeout) {
    this.name = name;
    this.probe = probe;
    this.blocking = blocking;
    this.timeout = timeout;
  }

  String name() {
    return name;
  }

  /** The probe's result, or a failed one once the timeout has passed. Never fails. */
  CompletableFuture<Result> run() {
    return current().copy().completeOnTimeout(
        new Result(false, "no answer within " + timeout.toMillis() + " ms"),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized CompletableFuture<Result> current() {
    if (running == null || running.isDone()) {
      long start = System.nanoTime();
      running = Blocking.call(blocking, probe::run).handle((detail, failure) -> failure == null
          ? new Result(true, detail + " (" + millisSince(start) + " ms)")
          : new Result(false, Failures.describe(Failures.unwrap(failure))));
    }
    return running;
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
