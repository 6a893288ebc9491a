package io.imagecache.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code imagecache serve} in a child JVM on the test class path, listening on a free loopback
 * port, its output collected in a file: what the signal tests send SIGTERM and SIGHUP to.
 */
final class ServeProcess implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern SERVING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");

  private final Process process;
  private final Path output;

  private ServeProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code serve --listen 127.0.0.1:0 ARGS} with {@code environment} added. */
  static ServeProcess start(Path output, Map<String, String> environment, String... args)
      throws IOException {
    return startOn("127.0.0.1:0", output, List.of(), environment, args);
  }

  /** Starts {@code serve} as above in a JVM given {@code jvmOptions} too. */
  static ServeProcess start(Path output, List<String> jvmOptions, Map<String, String> environment,
      String... args) throws IOException {
    return startOn("127.0.0.1:0", output, jvmOptions, environment, args);
  }

  /** Starts {@code serve --listen LISTEN ARGS} with {@code environment} added. */
  static ServeProcess startOn(String listen, Path output, Map<String, String> environment,
      String... args) throws IOException {
    return startOn(listen, output, List.of(), environment, args);
  }

  private static ServeProcess startOn(String listen, Path output, List<String> jvmOptions,
      Map<String, String> environment,
      String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    command.addAll(jvmOptions);
    String logback = System.getProperty("logback.configurationFile");
    if (logback != null) {
      command.add("-Dlogback.configurationFile=" + logback);
    }
    command.addAll(List.of(Main.class.getName(), "serve", "--listen", listen));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().putAll(environment);
    return new ServeProcess(builder.start(), output);
  }

  /** Waits until the server listens and returns its port. */
  int awaitPort() {
    return Integer.parseInt(awaitLine(SERVING).group(1));
  }

  /** Waits until a line of the output matches {@code pattern}; fails if the child exits first. */
  Matcher awaitLine(Pattern pattern) {
    Matcher[] found = new Matcher[1];
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      for (String line : output().lines().toList()) {
        Matcher matcher = pattern.matcher(line);
        if (matcher.find()) {
          found[0] = matcher;
          return true;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("serve exited with " + process.exitValue() + " before a line"
            + " matching " + pattern + ":\n" + output());
      }
      return false;
    });
    return found[0];
  }

  /** Sends SIGTERM ({@link ProcessHandle#destroy()} on Linux). */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Sends SIGHUP. */
  void hangUp() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new AssertionError("kill -HUP " + process.pid() + " failed");
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code bound} for the child to exit and returns its exit code. */
  int awaitExit(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("serve did not exit within " + bound + ":\n" + output());
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

  /** Kills the child if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
