package io.imagecache.cli;

import java.io.Console;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the client commands take from their surroundings besides options and environment.
 *
 * @param clock the time zone for printed times and the time source of {@code --timeout}
 * @param pollInterval how often {@code queue --wait} asks the server for progress
 * @param ansiTerminal whether stdout is a terminal, so progress may be redrawn in place
 */
record ClientRuntime(Clock clock, Duration pollInterval, boolean ansiTerminal) {

  /** The default poll interval of {@code queue --wait}. */
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

  ClientRuntime {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be > 0: " + pollInterval);
    }
  }

  /** The system clock and zone, 250 ms polls, ANSI redraws when a console is attached. */
  static ClientRuntime system() {
    return new ClientRuntime(Clock.systemDefaultZone(), DEFAULT_POLL_INTERVAL,
        isTerminal(System.console()));
  }

  /**
   * Whether {@code console} is a terminal: on Java 17 a console exists only then; from Java 22 on
   * one may exist for redirected output too, and {@code Console.isTerminal()} tells.
   */
  private static boolean isTerminal(Console console) {
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException olderJava) {
      return true;
    }
  }
}
