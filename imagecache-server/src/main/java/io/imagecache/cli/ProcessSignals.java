package io.imagecache.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The signals {@code serve} handles itself instead of the JVM (whose SIGTERM runs the shutdown
 * hooks and exits with 143, and whose SIGHUP ends the process): the first SIGTERM or SIGINT asks
 * for a stop ({@link #awaitStop}), a second one ends the process at once with 128 + its number;
 * SIGHUP runs the reload action.
 */
final class ProcessSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessSignals.class);

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicInteger stops = new AtomicInteger();
  private final Runnable reload;

  private ProcessSignals(Runnable reload) {
    this.reload = reload;
  }

  /**
   * Takes over SIGTERM and SIGINT and, with a reload action, SIGHUP.
   *
   * @return the installed handlers, or empty if this JVM cannot handle SIGTERM (the JVM's
   *     default handling and its shutdown hooks stay in place)
   */
  static Optional<ProcessSignals> install(Optional<Runnable> reload) {
    ProcessSignals signals = new ProcessSignals(reload.orElse(() -> { }));
    try {
      Signal.handle(new Signal("TERM"), signals::stop);
    } catch (IllegalArgumentException e) {
      LOG.debug("SIGTERM cannot be handled here ({}): the JVM's shutdown hook stops the server",
          e.getMessage());
      return Optional.empty();
    }
    List<String> skipped = new ArrayList<>();
    signals.tryHandle("INT", signals::stop, skipped);
    if (reload.isPresent()) {
      signals.tryHandle("HUP", signal -> signals.reload(), skipped);
    }
    if (!skipped.isEmpty()) {
      LOG.debug("not handled (ignored at start, e.g. under nohup, or unknown here): {}", skipped);
    }
    return Optional.of(signals);
  }

  /** Waits until the first SIGTERM or SIGINT. */
  void awaitStop() throws InterruptedException {
    stopRequested.await();
  }

  private void tryHandle(String name, sun.misc.SignalHandler handler, List<String> skipped) {
    try {
      Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      skipped.add("SIG" + name);
    }
  }

  private void stop(Signal signal) {
    if (stops.getAndIncrement() == 0) {
      LOG.info("SIG{}: stopping (a second SIGTERM or SIGINT stops at once)", signal.getName());
      stopRequested.countDown();
      return;
    }
    LOG.warn("SIG{} again: exiting at once, requests still being answered are cut off",
        signal.getName());
    Runtime.getRuntime().halt(128 + signal.getNumber());
  }

  private void reload() {
    try {
      reload.run();
    } catch (RuntimeException e) {
      LOG.error("SIGHUP: the reload failed, the running settings stay: {}", e.toString());
    }
  }
}
