package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code /proc/PID} says about a running process: RSS, threads, open file descriptors. */
final class ProcessProbe {
  private final long pid;

  ProcessProbe(long pid) {
    this.pid = pid;
  }

  long pid() {
    return pid;
  }

  /** One sample: VmRSS in bytes, Threads, and the number of open file descriptors. */
  record Sample(long rssBytes, long threads, long fds) {}

  /** A sample now; throws when the process is gone. */
  Sample sample() throws IOException {
    long rss = -1;
    long threads = -1;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = number(line) * 1024;
      } else if (line.startsWith("Threads:")) {
        threads = number(line);
      }
    }
    return new Sample(rss, threads, fdTargets().size());
  }

  /** Where each open file descriptor points ({@code readlink /proc/PID/fd/N}); sockets and pipes included. */
  List<String> fdTargets() throws IOException {
    List<String> targets = new ArrayList<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          targets.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException e) {
          // closed between the listing and the readlink
        }
      }
    }
    return targets;
  }

  /** Open file descriptors that are not sockets (files, pipes, event fds). */
  long nonSocketFds() throws IOException {
    return fdTargets().stream().filter(t -> !t.startsWith("socket:")).count();
  }

  /** The process's threads counted by name with digits dropped ({@code imagecache-blocking-#: 16}). */
  java.util.Map<String, Integer> threadNames() throws IOException {
    java.util.Map<String, Integer> names = new java.util.TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          names.merge(Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    }
    return names;
  }

  /** The JVM in {@code process}: the process itself when the launcher exec'd java, else its java descendant. */
  static long javaPid(Process process) {
    if (isJava(process.toHandle())) {
      return process.pid();
    }
    return process.descendants().filter(ProcessProbe::isJava).mapToLong(ProcessHandle::pid).findFirst()
        .orElse(process.pid());
  }

  private static boolean isJava(ProcessHandle handle) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(handle.pid()), "comm")).trim().equals("java");
    } catch (IOException e) {
      return false;
    }
  }

  private static long number(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
