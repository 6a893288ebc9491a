package io.imagecache.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs the {@code imagecache} command line the way a user would, capturing stdout, stderr and the
 * exit code. {@code serve} is not meant to run here: its runner fails the test.
 */
final class CliRun {

  /** The zone the tests print local times in: UTC+1 in November. */
  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

  /** A fixed clock in {@link #ZONE}, 10 ms polls, no terminal. */
  static final ClientRuntime FIXED = new ClientRuntime(
      Clock.fixed(Instant.parse("2025-11-25T00:00:00Z"), ZONE), Duration.ofMillis(10), false);

  /** The system clock in {@link #ZONE}, 10 ms polls, no terminal: for --timeout. */
  static final ClientRuntime TICKING =
      new ClientRuntime(Clock.system(ZONE), Duration.ofMillis(10), false);

  /** What a run printed and returned. */
  record Result(int exitCode, String out, String err) {

    /** Stdout's lines. */
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  private CliRun() {}

  /** Runs {@code args} with {@code environment} and {@link #FIXED}. */
  static Result run(Map<String, String> environment, String... args) {
    return run(environment, FIXED, args);
  }

  /** Runs {@code args} with {@code environment} and {@code runtime}. */
  static Result run(Map<String, String> environment, ClientRuntime runtime, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("serve must not run in a client test");
    }, environment, runtime);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
