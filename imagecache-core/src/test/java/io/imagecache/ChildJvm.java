package io.imagecache;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashingFillMain} in a child JVM on the test class path, its output collected in a
 * file outside the cache directory. Killed with {@link #kill()} (SIGKILL, like {@code kill -9}).
 */
final class ChildJvm implements AutoCloseable {
  static final int EXIT_LOCKED = 3;
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final Path output;

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code CrashingFillMain <mode> <dir>}. */
  static ChildJvm start(Path dir, String mode) throws IOException {
    return start(dir, mode, List.of());
  }

  /** Starts {@code CrashingFillMain <mode> <dir>} under {@code umask}, e.g. {@code "000"}. */
  static ChildJvm startWithUmask(Path dir, String mode, String umask) throws IOException {
    return start(dir, mode, List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\""));
  }

  private static ChildJvm start(Path dir, String mode, List<String> wrapper) throws IOException {
    Path output = Files.createTempFile("imagecache-child-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"),
        CrashingFillMain.class.getName(), mode, dir.toString()));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    return new ChildJvm(process, output);
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the child printed a line starting with {@code marker}; fails if it died first. */
  void awaitLine(String marker) {
    await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (output().lines().anyMatch(line -> line.startsWith(marker))) {
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError("child exited with " + process.exitValue()
            + " before printing " + marker + ":\n" + output());
      }
      return false;
    });
  }

  /** Kills the child at once (no shutdown hooks, no clean-up) and waits for it to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("killed child " + pid() + " did not exit");
    }
  }

  /** Waits for the child to exit by itself and returns its exit code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not exit:\n" + output());
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

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while killing child " + pid());
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
