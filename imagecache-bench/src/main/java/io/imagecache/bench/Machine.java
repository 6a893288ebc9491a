package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Facts about the machine a run happened on, for the report. */
record Machine(String date, String kernel, int cpus, String cpuModel, String jdk, String memory) {
  /** Reads the facts of this machine now. */
  static Machine describe(Processes processes) {
    String kernel = "unknown";
    try {
      kernel = processes.run(List.of("uname", "-r"), 10).trim();
    } catch (IOException e) {
      // keep "unknown"
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String model = "unknown";
    String memory = "unknown";
    try {
      model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown");
      memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> String.format("%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
          .findFirst().orElse("unknown");
    } catch (IOException e) {
      // keep "unknown"
    }
    return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).substring(0, 19)
        .replace('T', ' '), kernel, Runtime.getRuntime().availableProcessors(), model,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), memory);
  }

  /** One line for the report header. */
  String summary() {
    return "Linux " + kernel + ", " + cpus + " CPUs (nproc), " + cpuModel + ", " + memory + " RAM, " + jdk;
  }
}
