package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The soak (not run by CI or tests): imagecache started through its launcher with a small cache, a 1 s prune
 * interval and an admin token, loaded for a given time by N clients doing full and range GETs, HEADs, queues,
 * deletes, prunes and clears on ~40 images of 64 KiB–8 MiB; every body is checked against the origin's bytes.
 * Then, once the server is quiet: metadata = disk, {@code incomplete/} empty, no leaked open file, gauges =
 * listing, and after a clear nothing left; RSS, threads and open files are sampled every second. Prints a
 * summary and exits 1 when a check or a failing error kind turned up, 2 on a bad command line. Every process
 * it starts is stopped at the end, also on failure or Ctrl-C.
 *
 * <pre>java -cp imagecache-bench/target/benchmarks.jar io.imagecache.bench.Soak --duration 5m</pre>
 */
public final class Soak {
  /**
   * Threads the server may hold beyond its start: its pools start their threads lazily and keep them (16
   * blocking, event loops, prefetch workers, origin client), and the JVM adds JIT and GC helpers under load.
   */
  private static final long THREAD_SLACK = 64;
  /** Open files (not sockets) the server may hold beyond its start once cleared: the log, jar, epoll fds. */
  private static final long FD_SLACK = 16;
  private static final double MIB = 1 << 20;

  private Soak() {}

  /** Entry point; see {@link SoakOptions#USAGE}. */
  public static void main(String[] args) throws Exception {
    System.setProperty("jdk.httpclient.bufsize", "262144");
    SoakOptions options;
    try {
      options = SoakOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!Files.isRegularFile(options.jar())) {
      System.err.println("no imagecache jar at " + options.jar() + "; build it with: mvn -q -DskipTests package");
      System.exit(2);
    }
    Path work = Files.createTempDirectory(options.tempBase(), "imagecache-soak-");
    boolean passed;
    try (Processes processes = new Processes()) {
      // On Ctrl-C: the server first (hooks run concurrently, and it writes into the work dir), then the files.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        processes.shutdown();
        try {
          BenchContext.deleteTree(work);
        } catch (IOException e) {
          System.err.println("could not delete " + work + ": " + e);
        }
      }, "soak-work-dir-cleanup"));
      RunnerOptions runner = RunnerOptions.parse(new String[] {"--jar", options.jar().toString(), "--tmp",
          options.tempBase().toString(), "--skip-glance"});
      BenchContext context = new BenchContext(runner, processes, work, new CpuTime(100));
      passed = run(options, context, work);
    }
    System.exit(passed ? 0 : 1);
  }

  private static boolean run(SoakOptions options, BenchContext context, Path work) throws Exception {
    SoakImages images = SoakImages.write(work.resolve("origin"), options.seed());
    BenchmarkRunner.log(String.format(Locale.ROOT, "origin: %d images, %.1f MiB in all (cache bound %s)",
        images.all().size(), images.totalBytes() / MIB, options.maxSize()));
    SoakHttpOrigin http = options.origin().equals("http") ? SoakHttpOrigin.start(images) : null;
    String origin = http != null ? http.originUrl() : work.resolve("origin").toString();
    List<String> args = List.of("--origin", origin, "--max-size", options.maxSize(), "--driver", options.driver(),
        "--prune-interval", "1s", "--clean-interval", "10s");
    ImagecacheProcess server = ImagecacheProcess.serve(context, Files.createDirectories(work.resolve("server")),
        args, options.serverJavaOpts(), Ports.free(), Duration.ofSeconds(120));
    try {
      return soak(options, context, images, server);
    } finally {
      Path kept = options.tempBase().resolve("imagecache-soak-server-" + server.jvmPid() + ".log");
      Files.copy(server.log(), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      server.close();
      if (http != null) {
        http.close();
      }
      BenchmarkRunner.log("server stopped; its log is kept in " + kept);
    }
  }

  private static boolean soak(SoakOptions options, BenchContext context, SoakImages images,
      ImagecacheProcess server) throws Exception {
    ProcessProbe probe = new ProcessProbe(server.jvmPid());
    SoakTally tally = new SoakTally();
    SoakChecks checks = new SoakChecks(context, server, probe, images);
    Map<String, ProcessProbe.Sample> points = new LinkedHashMap<>();
    String nmt = null;
    double seconds;
    try (SoakSampler sampler = new SoakSampler(probe).start()) {
      points.put("start", sampler.first());
      long startFiles = probe.nonSocketFds();
      BenchmarkRunner.log("server JVM pid " + probe.pid() + "; " + options.clients() + " clients for "
          + options.duration().toSeconds() + " s, JVM options: "
          + (options.serverJavaOpts() == null ? "the launcher's" : options.serverJavaOpts()));
      long start = System.nanoTime();
      long deadline = start + options.duration().toNanos();
      ExecutorService clients = Executors.newFixedThreadPool(options.clients(), r -> {
        Thread t = new Thread(r, "soak-client");
        t.setDaemon(true);
        return t;
      });
      for (int i = 0; i < options.clients(); i++) {
        clients.execute(new SoakClient(server.url(""), server.cacheDir().toString(), images, tally, deadline,
            options.seed() * 1000 + i));
      }
      clients.shutdown();
      // Clients stop by themselves at the deadline; a request may still take up to its 60 s timeout.
      while (!clients.awaitTermination(10, TimeUnit.SECONDS)) {
        ProcessProbe.Sample now = sampler.last();
        BenchmarkRunner.log(String.format(Locale.ROOT, "%.0f s: %d ops, %d errors (%d failing); RSS %.0f MiB,"
            + " %d threads, %d fds", (System.nanoTime() - start) / 1e9, tally.totalOps(), tally.totalErrors(),
            tally.failures(), now.rssBytes() / MIB, now.threads(), now.fds()));
        if (System.nanoTime() > deadline + TimeUnit.SECONDS.toNanos(90)) {
          clients.shutdownNow();
        }
      }
      seconds = (System.nanoTime() - start) / 1e9;
      points.put("end of load", sampler.sampleNow());
      if (options.nativeMemory()) {
        nmt = context.processes().run(List.of("jcmd", Long.toString(probe.pid()), "VM.native_memory", "summary"),
            60);
      }
      BenchmarkRunner.log("load done; checking");
      if (checks.awaitQuiet("after the load", Duration.ofSeconds(120))) {
        checks.checkConsistent();
      }
      HttpCalls.Reply clear = context.http().send("DELETE", server.url("/v2/cache"), ImagecacheProcess.TOKEN, null);
      checks.add("final DELETE /v2/cache", clear.status() == 204, "status " + clear.status());
      if (checks.awaitQuiet("after the clear", Duration.ofSeconds(60))) {
        checks.checkEmpty();
      }
      points.put("end (quiet, cleared)", sampler.sampleNow());
      context.processes().run(List.of("jcmd", Long.toString(probe.pid()), "GC.run"), 60);
      Thread.sleep(2000); // let the collector hand memory back before the last sample
      points.put("after GC", sampler.sampleNow());
      points.put("max", sampler.max());
      ProcessProbe.Sample first = sampler.first();
      ProcessProbe.Sample end = points.get("end (quiet, cleared)");
      long endFiles = probe.nonSocketFds();
      checks.add("open files (not sockets) back near the start", endFiles <= startFiles + FD_SLACK,
          startFiles + " at start, " + endFiles + " at the end (slack " + FD_SLACK + "); sockets " + (first.fds()
              - startFiles) + " at start, " + (end.fds() - endFiles) + " at the end (kept-alive connections)");
      // Idle pool threads (e.g. the origin HTTP client's, 60 s keep-alive) may take a while to end.
      long threadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
      long threads = end.threads();
      while (threads > first.threads() + THREAD_SLACK && System.nanoTime() < threadDeadline) {
        Thread.sleep(1000);
        threads = probe.sample().threads();
      }
      checks.add("threads back near the start", threads <= first.threads() + THREAD_SLACK,
          first.threads() + " at start, " + threads + " at the end (slack " + THREAD_SLACK + ")"
              + (threads <= first.threads() + THREAD_SLACK ? "" : "; by name: " + probe.threadNames()));
      checks.add("RSS within " + Math.round(options.rssLimitBytes() / MIB) + " MiB",
          sampler.max().rssBytes() <= options.rssLimitBytes(),
          String.format(Locale.ROOT, "max %.0f MiB over %d samples", sampler.max().rssBytes() / MIB,
              sampler.samples()));
    }
    List<String> logLines = serverProblems(server.log());
    print(options, tally, checks, points, seconds, nmt, logLines);
    boolean passed = tally.failures() == 0 && checks.checks().stream().allMatch(SoakChecks.Check::ok);
    System.out.println(passed ? "SOAK PASSED" : "SOAK FAILED");
    return passed;
  }

  private static void print(SoakOptions options, SoakTally tally, SoakChecks checks,
      Map<String, ProcessProbe.Sample> points, double seconds, String nmt, List<String> logLines) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n== soak: %d clients, %.0f s, --max-size %s, --driver %s, --origin %s, "
        + "JVM options %s%n", options.clients(), seconds, options.maxSize(), options.driver(), options.origin(),
        options.serverJavaOpts() == null ? "(launcher's)" : "'" + options.serverJavaOpts() + "'"));
    out.append(String.format(Locale.ROOT, "ops %d (%.0f/s), errors %d (%d failing), body bytes checked %.1f GiB "
        + "(%.0f MB/s)%n", tally.totalOps(), tally.totalOps() / seconds, tally.totalErrors(), tally.failures(),
        tally.bodyBytes() / (MIB * 1024), tally.bodyBytes() / seconds / 1e6));
    out.append(String.format("%n%-44s %10s%n", "answered as expected", "count"));
    tally.okCounts().forEach((k, v) -> out.append(String.format("%-44s %10d%n", k, v)));
    out.append(String.format("%n%-8s %-70s %8s%n", "", "errors by kind", "count"));
    if (tally.errorCounts().isEmpty()) {
      out.append("(none)\n");
    }
    tally.errorCounts().forEach((k, v) -> {
      out.append(String.format("%-8s %-70s %8d%n", tally.isFailure(k) ? "FAIL" : "note", k, v));
      String detail = tally.detail(k);
      if (detail != null) {
        out.append(String.format("%-8s   e.g. %s%n", "", detail.length() > 160 ? detail.substring(0, 160) : detail));
      }
    });
    out.append(String.format("%n%-22s %10s %8s %6s%n", "server JVM", "RSS MiB", "threads", "fds"));
    points.forEach((k, s) -> out.append(String.format(Locale.ROOT, "%-22s %10.0f %8d %6d%n", k, s.rssBytes() / MIB,
        s.threads(), s.fds())));
    out.append(String.format("%n%-6s %-48s %s%n", "", "check", "figures"));
    for (SoakChecks.Check c : checks.checks()) {
      out.append(String.format("%-6s %-48s %s%n", c.ok() ? "ok" : "FAIL", c.name(), c.detail()));
    }
    if (!logLines.isEmpty()) {
      out.append("\nserver log: WARN/ERROR lines by message (count, first words)\n");
      logLines.forEach(l -> out.append("  ").append(l).append('\n'));
    }
    if (nmt != null) {
      out.append("\nnative memory at the end of the load (jcmd VM.native_memory summary):\n").append(nmt);
    }
    System.out.print(out);
  }

  /** The server log's WARN and ERROR lines grouped by their message's first words, most frequent first. */
  private static List<String> serverProblems(Path log) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String line : Files.readAllLines(log)) {
      int at = Math.max(line.indexOf(" WARN "), line.indexOf(" ERROR "));
      if (at < 0) {
        continue;
      }
      String message = line.substring(at).trim().replaceAll("/[^\\s]*", "<path>").replaceAll("soak-\\d\\d", "<id>");
      String[] words = message.split("\\s+");
      String key = String.join(" ", java.util.Arrays.copyOf(words, Math.min(12, words.length)));
      counts.merge(key, 1, Integer::sum);
    }
    List<String> lines = new ArrayList<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
        .forEach(e -> lines.add(String.format("%6d  %s", e.getValue(), e.getKey())));
    return lines;
  }
}
