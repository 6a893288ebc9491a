package io.imagecache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFileTest {
  private static final String OLD_REPORT = """
      # imagecache end-to-end benchmarks

      Written by `io.imagecache.bench.BenchmarkRunner` (issue #5). Regenerate with:

      ```
      java -cp benchmarks.jar io.imagecache.bench.BenchmarkRunner --scenarios 1,4
      ```

      - **Date:** 2026-11-25 14:08:07
      - **Rounds:** 5 (scenario 4: 1); the compared systems run in alternation within each round (A B A B …).

      ## 1. Hit, one 1 GiB image, one client (curl)

      Reference for ratios: **nginx**.

      | system | figure | median | min–max | ratio to nginx (median, min–max) | ratio per round | goal | date | machine |
      |---|---|---|---|---|---|---|---|---|
      | imagecache | hit throughput (MB/s) | 1713 | 1453–1822 | 1.05 (0.95–1.53) | 1.53, 0.95 | ≥ 1.0× nginx | 2026-11-25 | 2 vCPU, k |
      | nginx | hit throughput (MB/s) | 1586 | 1010–1792 | 1.00 (1.00–1.00) | 1.00, 1.00 |  | 2026-11-25 | 2 vCPU, k |

      ## 4. Cold start

      Reference for ratios: **nginx lock**.

      | system | figure | median | min–max | ratio to nginx lock (median, min–max) | ratio per round | goal | date | machine |
      |---|---|---|---|---|---|---|---|---|
      | imagecache | origin fetches (count) | 1.00 | 1.00–1.00 | 1.00 (1.00–1.00) | 1.00 | 1 | 2026-11-25 | 2 vCPU, k |
      | imagecache | single client alone, wall (s) | 22.2 | 22.2–22.2 | — | — |  | 2026-11-25 | 2 vCPU, k |

      - a note
      """;

  @Test
  void sectionsOfAnOldReportGetTheRunLineOfItsHeader() {
    SortedMap<Integer, String> sections = ReportFile.sections(OLD_REPORT);

    assertThat(sections).containsOnlyKeys(1, 4);
    assertThat(sections.get(4)).startsWith("## 4. Cold start\n\nRun: 2026-11-25 14:08:07, 5 rounds (scenario 4: 1):"
        + " `java -cp benchmarks.jar io.imagecache.bench.BenchmarkRunner --scenarios 1,4`\n").endsWith("- a note\n");
    assertThat(ReportFile.commands(sections.values()))
        .containsExactly("java -cp benchmarks.jar io.imagecache.bench.BenchmarkRunner --scenarios 1,4");
  }

  @Test
  void tableRowsAreReadBackWithUnitRatioAndReference() {
    List<ChartFigure> figures = ReportFile.figures(4, ReportFile.sections(OLD_REPORT).get(4));

    assertThat(figures).containsExactly(
        new ChartFigure(4, "imagecache", false, "origin fetches", "count", "1", 1.0, Optional.of(1.0)),
        new ChartFigure(4, "imagecache", false, "single client alone, wall", "s", "", 22.2, Optional.empty()));
    assertThat(ReportFile.figures(1, ReportFile.sections(OLD_REPORT).get(1)))
        .extracting(ChartFigure::system, ChartFigure::reference)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("imagecache", false),
            org.assertj.core.groups.Tuple.tuple("nginx", true));
  }

  @Test
  void aRunOfOneScenarioKeepsTheOtherSectionsAndChartsThemAll(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("benchmarks.md");
    Files.writeString(report, OLD_REPORT);
    Samples samples = new Samples();
    samples.add("imagecache", "peak RSS", 180);
    ScenarioResult memory = ScenarioResult.of(6, "Memory", "setup", "imagecache",
        List.of(new FigureSpec("peak RSS", "MiB", "≤ 256 MiB", false)), samples, List.of("measured"));
    RunnerOptions options = RunnerOptions.parse(new String[] {"--scenarios", "6", "--rounds", "1"});
    Machine machine = new Machine("2026-11-26 10:00:00", "k", 2, "cpu", "jdk", "1 GiB");

    List<ChartFigure> figures = Report.write(report, machine, options, List.of(memory), "run 6", "chart.png", true);
    ChartWriter.write(dir.resolve("chart.png"), figures);

    String written = Files.readString(report);
    assertThat(written).contains("## 1. Hit", "## 4. Cold start", "## 6. Memory", "- a note",
        "Run: 2026-11-26 10:00:00, 1 rounds (scenario 4: 1): `run 6`", "scenarios 1, 4 kept from earlier runs");
    assertThat(written.indexOf("## 4.")).isLessThan(written.indexOf("## 6."));
    assertThat(written).containsOnlyOnce("```\njava -cp benchmarks.jar io.imagecache.bench.BenchmarkRunner"
        + " --scenarios 1,4\nrun 6\n```");
    assertThat(figures).extracting(ChartFigure::scenario).containsExactly(1, 1, 4, 4, 6);
    assertThat(Files.size(dir.resolve("chart.png"))).isPositive();

    Report.write(report, machine, options, List.of(memory), "run 6", "chart.png", true);
    assertThat(Files.readString(report)).isEqualTo(written);
  }
}
