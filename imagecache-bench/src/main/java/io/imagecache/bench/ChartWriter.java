package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws {@code benchmarks.png}: for each scenario's first figure, grouped bars of every system's
 * median ratio to the scenario's reference (the reference itself is 1.0).
 */
final class ChartWriter {
  private ChartWriter() {}

  /** Writes the chart to {@code file} (PNG); scenarios without ratios are left out. */
  static void write(Path file, List<ScenarioResult> results) throws IOException {
    List<String> categories = new ArrayList<>();
    Map<String, Map<String, Double>> bySystem = new LinkedHashMap<>();
    for (ScenarioResult result : results) {
      if (result.rows().isEmpty()) {
        continue;
      }
      FigureSpec headline = result.rows().get(0).figure();
      String category = result.id() + ": " + headline.name();
      boolean any = false;
      for (ResultRow row : result.rows()) {
        if (row.figure().equals(headline) && row.ratioStats().isPresent()) {
          bySystem.computeIfAbsent(row.system(), s -> new LinkedHashMap<>())
              .put(category, row.ratioStats().get().median());
          any = true;
        }
      }
      if (any) {
        categories.add(category);
      }
    }
    CategoryChart chart = new CategoryChartBuilder().width(1100).height(560)
        .title("imagecache vs references: median ratio per scenario (1.0 = reference, usually nginx)")
        .xAxisTitle("scenario: headline figure").yAxisTitle("ratio to reference").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisLabelRotation(15);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setDecimalPattern("0.00");
    if (categories.isEmpty()) {
      chart.addSeries("no ratios measured", List.of("none"), List.of(0.0));
    } else {
      for (Map.Entry<String, Map<String, Double>> system : bySystem.entrySet()) {
        List<Double> values = new ArrayList<>();
        for (String category : categories) {
          values.add(system.getValue().getOrDefault(category, 0.0));
        }
        chart.addSeries(system.getKey(), categories, values);
      }
    }
    String name = file.toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }
}
