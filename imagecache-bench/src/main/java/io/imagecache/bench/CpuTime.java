package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * CPU seconds (utime + stime) of a process tree, read from {@code /proc/PID/stat}; children are
 * found through {@code /proc/PID/task/TID/children}.
 */
final class CpuTime {
  private final double ticksPerSecond;

  CpuTime(double ticksPerSecond) {
    if (ticksPerSecond <= 0) {
      throw new IllegalArgumentException("ticksPerSecond must be positive: " + ticksPerSecond);
    }
    this.ticksPerSecond = ticksPerSecond;
  }

  /** The CPU seconds used so far by {@code pid} and every live descendant. */
  double treeSeconds(long pid) {
    long ticks = 0;
    for (long member : tree(pid)) {
      ticks += ownTicks(member);
    }
    return ticks / ticksPerSecond;
  }

  /**
   * Waits until the CPU time of {@code pid}'s tree stops moving for {@code quiet} (at most
   * {@code max}), so that work left over from before (a JVM still compiling what the warm-up ran,
   * a previous request's clean-up) is not charged to the next measurement. Returns whether it did.
   */
  boolean awaitIdle(long pid, Duration quiet, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    double last = treeSeconds(pid);
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      double now = treeSeconds(pid);
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
        return true;
      }
    }
    return false;
  }

  /** {@code pid} and its live descendants. */
  static Set<Long> tree(long pid) {
    Set<Long> seen = new HashSet<>();
    Deque<Long> todo = new ArrayDeque<>();
    todo.add(pid);
    while (!todo.isEmpty() && seen.size() < 10_000) {
      long next = todo.poll();
      if (!seen.add(next)) {
        continue;
      }
      Path tasks = Path.of("/proc", Long.toString(next), "task");
      try (var stream = Files.newDirectoryStream(tasks)) {
        for (Path task : stream) {
          try {
            for (String child : Files.readString(task.resolve("children")).trim().split("\\s+")) {
              if (!child.isEmpty()) {
                todo.add(Long.parseLong(child));
              }
            }
          } catch (IOException e) {
            // the thread ended while we looked
          }
        }
      } catch (IOException e) {
        // the process ended while we looked
      }
    }
    return seen;
  }

  /**
   * The CPU seconds of the children a process has waited for (cutime + cstime), read from its
   * {@code /proc/PID/stat} line {@code stat}: what a shell's finished commands cost.
   */
  double waitedChildrenSeconds(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / ticksPerSecond;
  }

  /** utime + stime of one process in clock ticks, 0 when it is gone. */
  private static long ownTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name (which may hold spaces) start at field 3 (state)
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
