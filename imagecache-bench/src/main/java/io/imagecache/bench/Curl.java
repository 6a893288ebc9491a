package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Downloads with curl (bodies discarded) and reads curl's own timing. */
final class Curl {
  private static final String WRITE_OUT =
      "%{time_starttransfer} %{time_total} %{size_download} %{http_code} %{speed_download}\\n";

  private final Processes processes;

  Curl(Processes processes) {
    this.processes = processes;
  }

  /** One transfer's timing: time to first byte and total in s, bytes, status, bytes/s. */
  record Transfer(double ttfbSeconds, double totalSeconds, long bytes, int status, double bytesPerSecond) {
    /** Parses one line of curl's {@code -w} output. */
    static Transfer parse(String line) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 5) {
        throw new IllegalArgumentException("unexpected curl output: '" + line + "'");
      }
      return new Transfer(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]),
          Integer.parseInt(f[3]), Double.parseDouble(f[4]));
    }

    /** Fails unless the transfer was a 200 with exactly {@code expected} bytes. */
    Transfer expect(long expected, String what) {
      if (status != 200 || bytes != expected) {
        throw new IllegalStateException(what + ": HTTP " + status + ", " + bytes + " bytes, expected 200 and "
            + expected);
      }
      return this;
    }
  }

  /** Downloads {@code url} once, bounded by {@code maxSeconds}. */
  Transfer get(String url, long maxSeconds) throws IOException, InterruptedException {
    String out = processes.run(command(url, maxSeconds), maxSeconds + 10);
    return Transfer.parse(out);
  }

  /** A durable save: bytes per second over the download and the fdatasync, and their CPU seconds. */
  record Save(double bytesPerSecond, double cpuSeconds) {}

  /**
   * Downloads {@code url} into {@code file} and makes it durable ({@code sync --data}, i.e.
   * fdatasync), as a cache's fill does before it commits; returns the speed over both and what
   * curl and the sync cost in CPU (read from their shell's waited-children times, so the shell
   * itself is not counted).
   */
  Save saveDurably(String url, Path file, long expected, long maxSeconds, CpuTime cpu)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sh", "-c",
        "\"$@\" && sync --data \"$0\" && read -r stat < /proc/$$/stat && echo \"$stat\"",
        file.toString()));
    command.addAll(command(url, maxSeconds, file.toString()));
    long t0 = System.nanoTime();
    String[] lines = processes.run(command, maxSeconds + 10).split("\n");
    double seconds = (System.nanoTime() - t0) / 1e9;
    Transfer.parse(lines[0]).expect(expected, "download to " + file);
    if (lines.length < 2) {
      throw new IOException("the durable save of " + url + " did not finish: " + String.join(" | ", lines));
    }
    return new Save(expected / seconds, cpu.waitedChildrenSeconds(lines[1]));
  }

  /** The curl command line for one bounded, discarded download of {@code url}. */
  static List<String> command(String url, long maxSeconds) {
    return command(url, maxSeconds, "/dev/null");
  }

  private static List<String> command(String url, long maxSeconds, String output) {
    return List.of("curl", "-s", "--max-time", Long.toString(maxSeconds), "-o", output,
        "-w", WRITE_OUT, url);
  }

  /**
   * Starts {@code count} concurrent downloads of {@code url}, waits for all (bounded), and returns
   * their transfers in start order; a client that failed to report gives status 0.
   */
  List<Transfer> herd(String url, int count, long maxSeconds, Path dir) throws IOException, InterruptedException {
    return herd(url, List.of(), count, maxSeconds, dir);
  }

  /** As {@link #herd(String, int, long, Path)}, each curl also given {@code options} (e.g. TLS ones). */
  List<Transfer> herd(String url, List<String> options, int count, long maxSeconds, Path dir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(command(url, maxSeconds));
    command.addAll(1, options);
    return concurrently(java.util.Collections.nCopies(count, command), maxSeconds, dir);
  }

  /**
   * Starts the curl {@code commands} (each a {@link #command} line, perhaps behind a prefix such as
   * {@code ip netns exec NAME}) at once, waits for all (bounded by {@code maxSeconds} + 15 s), and
   * returns their transfers in start order; a client that failed to report gives status 0.
   */
  List<Transfer> concurrently(List<List<String>> commands, long maxSeconds, Path dir)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    List<Process> started = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < commands.size(); i++) {
        Path out = dir.resolve("client-" + i + ".out");
        Files.deleteIfExists(out);
        outputs.add(out);
        started.add(processes.start(commands.get(i), out));
      }
      long deadline = System.nanoTime() + (maxSeconds + 15) * 1_000_000_000L;
      for (Process process : started) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        process.waitFor(left, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    } finally {
      for (Process process : started) {
        processes.stop(process);
      }
    }
    List<Transfer> transfers = new ArrayList<>();
    for (Path out : outputs) {
      String text = Files.exists(out) ? Files.readString(out).trim() : "";
      transfers.add(text.isEmpty() ? new Transfer(0, 0, 0, 0, 0) : Transfer.parse(text));
    }
    return transfers;
  }
}
