package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The end-to-end benchmark runner of issue #5: starts imagecache, nginx and (when it can be
 * installed) the real Glance on loopback, runs the scenarios with the systems in alternation,
 * writes {@code docs/benchmarks.md} and {@code docs/benchmarks.png}, and stops everything it started.
 */
public final class BenchmarkRunner {
  private BenchmarkRunner() {}

  /** Entry point; see {@link RunnerOptions#USAGE}. */
  public static void main(String[] args) throws Exception {
    // Read at HttpClient class init: the runner's own load clients need the larger buffer.
    System.setProperty("jdk.httpclient.bufsize", "262144");
    RunnerOptions options;
    try {
      options = RunnerOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options.chartOnly()) {
      Path report = options.outputDir().resolve("benchmarks.md");
      List<ChartFigure> figures = new ArrayList<>();
      ReportFile.sections(Files.readString(report)).forEach((id, text) -> figures.addAll(ReportFile.figures(id, text)));
      ChartWriter.write(options.outputDir().resolve("benchmarks.png"), figures);
      log("redrew " + options.outputDir().resolve("benchmarks.png") + " from " + report);
      return;
    }
    if (!Files.isRegularFile(options.jar())) {
      System.err.println("no imagecache jar at " + options.jar() + "; build it with: mvn -q -DskipTests package");
      System.exit(2);
    }
    Path work = Files.createTempDirectory(options.tempBase(), "imagecache-bench-");
    ExecutorService background = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "glance-start");
      t.setDaemon(true);
      return t;
    });
    List<ScenarioResult> results = new ArrayList<>();
    try (Processes processes = new Processes()) {
      Machine machine = Machine.describe(processes);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        processes.shutdown();
        try {
          BenchContext.deleteTree(work);
        } catch (IOException e) {
          System.err.println("could not delete " + work + ": " + e);
        }
      }, "benchmark-work-dir-cleanup"));
      BenchContext context = new BenchContext(options, processes, work, new CpuTime(clockTicks(processes)));
      if (!options.skipGlance()) {
        log("starting the real Glance in the background (start-glance.sh; installs packages if missing)");
        context.startGlance(background.submit(() -> GlanceHost.start(context)));
      }
      try {
        for (Scenario scenario : scenarios()) {
          if (!options.scenarios().contains(scenario.id())) {
            continue;
          }
          log("scenario " + scenario.id() + ": " + scenario.title());
          long start = System.nanoTime();
          ScenarioResult result;
          try {
            result = scenario.run(context);
          } catch (Exception | AssertionError e) {
            e.printStackTrace();
            result = ScenarioResult.failed(scenario.id(), scenario.title(), e.toString());
          }
          results.add(result);
          log(String.format("scenario %d done in %.0f s", scenario.id(), (System.nanoTime() - start) / 1e9));
          writeOutputs(options, machine, results, args);
        }
      } finally {
        processes.stopAll();
        background.shutdownNow();
      }
      writeOutputs(options, machine, results, args);
      log("wrote " + options.outputDir().resolve("benchmarks.md") + " and benchmarks.png");
    } finally {
      BenchContext.deleteTree(work);
    }
  }

  /** Every scenario, most important first (1, 3, 4, 8, 5, 2, 6, 7, then 9, 10, 13), so a cut-short run keeps those. */
  static List<Scenario> scenarios() {
    return List.of(new HitThroughputScenario(), new SmallFileRateScenario(), new ColdStartHerdScenario(),
        new PrefetchScenario(), new VerifiedMissScenario(), new HitsUnderLoadScenario(), new MemoryScenario(),
        new StartupScenario(), new TlsHitScenario(9, 1), new TlsHitScenario(10, 16),
        new SegmentedMissScenario(), new ResumeScenario(), new FleetScenario());
  }

  private static void writeOutputs(RunnerOptions options, Machine machine, List<ScenarioResult> results,
      String[] args) throws IOException {
    String command = "mvn -q -DskipTests package && java -cp imagecache-bench/target/benchmarks.jar "
        + "io.imagecache.bench.BenchmarkRunner " + String.join(" ", args);
    List<ScenarioResult> byId = new ArrayList<>(results);
    byId.sort(java.util.Comparator.comparingInt(ScenarioResult::id));
    List<ChartFigure> figures = Report.write(options.outputDir().resolve("benchmarks.md"), machine, options, byId,
        command.trim(), "benchmarks.png", options.keepOtherSections());
    ChartWriter.write(options.outputDir().resolve("benchmarks.png"), figures);
  }

  private static double clockTicks(Processes processes) {
    try {
      return Double.parseDouble(processes.run(List.of("getconf", "CLK_TCK"), 10).trim());
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** Progress on stderr with a timestamp. */
  static void log(String message) {
    System.err.println("[" + java.time.LocalTime.now().withNano(0) + "] " + message);
  }
}
