package io.imagecache.bench;

import java.util.ArrayList;
import java.util.List;

/** What one scenario measured: a table of rows, the reference system of its ratios, and notes. */
record ScenarioResult(int id, String title, String setup, String reference, List<ResultRow> rows,
    List<String> notes) {
  ScenarioResult {
    rows = List.copyOf(rows);
    notes = List.copyOf(notes);
    if (title == null || setup == null || reference == null) {
      throw new IllegalArgumentException("scenario " + id + " needs a title, setup and reference");
    }
  }

  /** Builds the table from {@code samples}: one row per figure and system that has samples. */
  static ScenarioResult of(int id, String title, String setup, String reference, List<FigureSpec> figures,
      Samples samples, List<String> notes) {
    List<ResultRow> rows = new ArrayList<>();
    for (FigureSpec figure : figures) {
      List<Double> base = samples.values(reference, figure.name());
      for (String system : samples.systems()) {
        List<Double> values = samples.values(system, figure.name());
        if (values.isEmpty()) {
          continue;
        }
        List<Double> ratios = new ArrayList<>();
        if (base.size() == values.size()) {
          for (int i = 0; i < values.size(); i++) {
            if (base.get(i) != 0) {
              ratios.add(values.get(i) / base.get(i));
            }
          }
        }
        rows.add(new ResultRow(system, figure, values, Stats.of(values), ratios));
      }
    }
    return new ScenarioResult(id, title, setup, reference, rows, notes);
  }

  /** A scenario that could not run at all, with the reason. */
  static ScenarioResult failed(int id, String title, String reason) {
    return new ScenarioResult(id, title, "", "nginx", List.of(), List.of("not measured: " + reason));
  }
}
