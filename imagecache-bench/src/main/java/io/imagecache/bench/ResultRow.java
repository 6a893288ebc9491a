package io.imagecache.bench;

import java.util.List;
import java.util.Optional;

/** One line of a scenario's table: a system's figure over all rounds and its per-round ratios. */
record ResultRow(String system, FigureSpec figure, List<Double> values, Stats stats, List<Double> ratios) {
  ResultRow {
    values = List.copyOf(values);
    ratios = List.copyOf(ratios);
    if (system == null || figure == null || values.isEmpty() || stats == null) {
      throw new IllegalArgumentException("incomplete row for " + system);
    }
  }

  /** Median of the per-round ratios to the reference system, when there are any. */
  Optional<Stats> ratioStats() {
    return ratios.isEmpty() ? Optional.empty() : Optional.of(Stats.of(ratios));
  }
}
