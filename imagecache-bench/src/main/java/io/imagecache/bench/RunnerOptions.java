package io.imagecache.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The runner's command line: rounds, scenarios, where to write, what to skip, the fleet scenario's knobs. */
record RunnerOptions(int rounds, Set<Integer> scenarios, Path outputDir, boolean skipGlance, Path jar,
    Path glanceScripts, Path tempBase, int loadSeconds, int herdRounds, boolean keepOtherSections,
    boolean chartOnly, FleetOptions fleet) {
  static final String USAGE = "usage: BenchmarkRunner [--rounds N (>=1, default 5)] [--scenarios 1,3,4 (default all)]"
      + " [--out DIR (default docs)] [--skip-glance] [--jar imagecache-server/target/imagecache.jar]"
      + " [--glance-scripts ../shared/bench/glance] [--tmp /tmp] [--load-seconds 30] [--herd-rounds N]"
      + " [--no-merge (drop the sections of scenarios not run from an existing benchmarks.md)]"
      + " [--chart-only (redraw benchmarks.png from the existing benchmarks.md; runs nothing)]\n"
      + FleetOptions.USAGE;

  RunnerOptions {
    if (rounds < 1 || herdRounds < 1 || loadSeconds < 1 || scenarios.isEmpty()) {
      throw new IllegalArgumentException(USAGE);
    }
    scenarios = Set.copyOf(scenarios);
  }

  /** Parses {@code args}; unknown options fail with the usage text. */
  static RunnerOptions parse(String[] args) {
    int rounds = 5;
    Integer herdRounds = null;
    int loadSeconds = 30;
    Set<Integer> scenarios = new TreeSet<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
    Path out = Path.of("docs");
    boolean skipGlance = false;
    boolean keepOtherSections = true;
    boolean chartOnly = false;
    Path jar = Path.of("imagecache-server/target/imagecache.jar");
    Path glance = Path.of("../shared/bench/glance");
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<String> fleet = new ArrayList<>();
    List<String> list = new ArrayList<>(List.of(args));
    for (int i = 0; i < list.size(); i++) {
      String arg = list.get(i);
      switch (arg) {
        case "--rounds" -> rounds = Integer.parseInt(value(list, ++i));
        case "--herd-rounds" -> herdRounds = Integer.parseInt(value(list, ++i));
        case "--load-seconds" -> loadSeconds = Integer.parseInt(value(list, ++i));
        case "--scenarios" -> {
          scenarios = new TreeSet<>();
          for (String s : value(list, ++i).split(",")) {
            int id = Integer.parseInt(s.trim());
            if (id < 1 || id > 13) {
              throw new IllegalArgumentException("scenarios are 1..13: " + id);
            }
            scenarios.add(id);
          }
        }
        case "--out" -> out = Path.of(value(list, ++i));
        case "--skip-glance" -> skipGlance = true;
        case "--no-merge" -> keepOtherSections = false;
        case "--chart-only" -> chartOnly = true;
        case "--jar" -> jar = Path.of(value(list, ++i));
        case "--glance-scripts" -> glance = Path.of(value(list, ++i));
        case "--tmp" -> tmp = Path.of(value(list, ++i));
        default -> {
          if (!FleetOptions.known(arg)) {
            throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
          }
          fleet.add(arg);
          if (FleetOptions.takesValue(arg)) {
            fleet.add(value(list, ++i));
          }
        }
      }
    }
    return new RunnerOptions(rounds, scenarios, out, skipGlance, jar.toAbsolutePath(), glance.toAbsolutePath(),
        tmp, loadSeconds, herdRounds == null ? rounds : herdRounds, keepOtherSections,
        chartOnly, FleetOptions.parse(fleet));
  }

  private static String value(List<String> args, int index) {
    if (index >= args.size()) {
      throw new IllegalArgumentException("missing value for " + args.get(index - 1) + "\n" + USAGE);
    }
    return args.get(index);
  }
}
