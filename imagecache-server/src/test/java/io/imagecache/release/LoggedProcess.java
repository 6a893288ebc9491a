package io.imagecache.release;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A child process whose output (stdout and stderr) goes to a file the test polls. */
final class LoggedProcess implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(90);
  private static final Pattern SERVING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");

  private final Process process;
  private final Path output;

  private LoggedProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code command} in {@code directory} with exactly {@code environment}. */
  static LoggedProcess start(List<String> command, Path directory, Map<String, String> environment,
      Path output) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    return new LoggedProcess(builder.start(), output);
  }

  /** Runs {@code command} to its end (at most {@link #WAIT}) and returns its exit code. */
  static int run(List<String> command, Path directory, Map<String, String> environment,
      Path output) throws IOException, InterruptedException {
    try (LoggedProcess process = start(command, directory, environment, output)) {
      return process.awaitExit(WAIT);
    }
  }

  /** Waits until {@code serve} listens and returns its port; fails if the process ends first. */
  int awaitPort() {
    Matcher[] found = new Matcher[1];
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      Matcher matcher = SERVING.matcher(output());
      if (matcher.find()) {
        found[0] = matcher;
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError("exited with " + process.exitValue() + " before listening:\n"
            + output());
      }
      return false;
    });
    return Integer.parseInt(found[0].group(1));
  }

  /** Sends SIGTERM. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Waits up to {@code bound} for the process to end and returns its exit code. */
  int awaitExit(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("did not exit within " + bound + ":\n" + output());
    }
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
