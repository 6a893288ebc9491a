package io.imagecache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One table row of a report section as the chart needs it: the scenario, system (and whether it is
 * the section's reference), figure, unit, goal, median and median ratio to the reference; taken from a fresh {@link
 * ScenarioResult} or read back from an earlier {@code benchmarks.md}.
 */
record ChartFigure(int scenario, String system, boolean reference, String figure, String unit, String goal, double median,
    Optional<Double> ratio) {
  ChartFigure {
    if (system == null || system.isBlank() || figure == null || figure.isBlank() || unit == null || goal == null
        || ratio == null || !Double.isFinite(median)) {
      throw new IllegalArgumentException("incomplete chart figure for scenario " + scenario + ": " + system);
    }
  }

  /** The rows of {@code result}, in table order. */
  static List<ChartFigure> of(ScenarioResult result) {
    List<ChartFigure> figures = new ArrayList<>();
    for (ResultRow row : result.rows()) {
      figures.add(new ChartFigure(result.id(), row.system(), row.system().equals(result.reference()),
          row.figure().name(), row.figure().unit(),
          row.figure().goal(), row.stats().median(), row.ratioStats().map(Stats::median)));
    }
    return figures;
  }
}
