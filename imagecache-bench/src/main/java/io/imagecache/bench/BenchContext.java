package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** What every scenario shares: options, child processes, clients, the work dir, test files, Glance. */
final class BenchContext {
  private final RunnerOptions options;
  private final Processes processes;
  private final Path workDir;
  private final HttpCalls http = new HttpCalls();
  private final Curl curl;
  private final Wrk wrk;
  private final CpuTime cpu;
  /** Set once by {@link #startGlance}; then read by scenarios on the runner's thread. */
  private Future<GlanceHost> glance;
  /** Why Glance is not measured, once known; written and read on the runner's thread. */
  private String glanceNote = "";

  BenchContext(RunnerOptions options, Processes processes, Path workDir, CpuTime cpu) {
    this.options = options;
    this.processes = processes;
    this.workDir = workDir;
    this.cpu = cpu;
    this.curl = new Curl(processes);
    this.wrk = new Wrk(processes);
  }

  RunnerOptions options() {
    return options;
  }

  Processes processes() {
    return processes;
  }

  Path workDir() {
    return workDir;
  }

  HttpCalls http() {
    return http;
  }

  Curl curl() {
    return curl;
  }

  Wrk wrk() {
    return wrk;
  }

  CpuTime cpu() {
    return cpu;
  }

  /** Remembers the background start of Glance. */
  void startGlance(Future<GlanceHost> starting) {
    this.glance = starting;
  }

  /** Glance when it is (or becomes, within 10 minutes) up; empty with {@link #glanceNote()} set otherwise. */
  Optional<GlanceHost> glance() {
    if (glance == null) {
      if (glanceNote.isEmpty()) {
        glanceNote = "Glance not measured: skipped (--skip-glance)";
      }
      return Optional.empty();
    }
    try {
      return Optional.of(glance.get(10, TimeUnit.MINUTES));
    } catch (ExecutionException e) {
      glanceNote = "Glance not measured: " + e.getCause();
    } catch (TimeoutException e) {
      glanceNote = "Glance not measured: start-glance.sh did not finish in 10 minutes";
      glance.cancel(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      glanceNote = "Glance not measured: interrupted";
    }
    glance = null;
    return Optional.empty();
  }

  /** Why Glance is missing from the tables, or "" when it is measured. */
  String glanceNote() {
    return glanceNote;
  }

  /** The shared origin directory holding the test images. */
  Path originDir() throws IOException {
    return Files.createDirectories(workDir.resolve("origin"));
  }

  /** A pseudo-random test image {@code name} of {@code size} bytes in the origin dir (made once). */
  Path image(String name, long size) throws IOException {
    return TestFiles.random(originDir().resolve(name), size, name.hashCode());
  }

  /** Deletes {@code dir} and everything below it; a missing dir is fine. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
