package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process's peak resident set size, VmHWM in {@code /proc/PID/status}, and its reset through
 * {@code /proc/PID/clear_refs} (writing 5 sets the peak to the current RSS, Linux 4.0+).
 */
final class PeakRss {
  private PeakRss() {}

  /** VmHWM of {@code pid} in bytes; empty when the process is gone or the line is missing. */
  static Optional<Long> bytes(long pid) {
    return statusKib(pid, "VmHWM:").map(kib -> kib * 1024);
  }

  /** VmRSS of {@code pid} in bytes; empty when the process is gone. */
  static Optional<Long> currentBytes(long pid) {
    return statusKib(pid, "VmRSS:").map(kib -> kib * 1024);
  }

  /** Resets the peak of {@code pid} to its current RSS; false when the kernel refused. */
  static boolean reset(long pid) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<Long> statusKib(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(key)) {
          return Optional.of(Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or a kernel without the line
    }
    return Optional.empty();
  }
}
