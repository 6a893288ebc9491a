package io.imagecache.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws {@code benchmarks.png} from the figures of every report section, in up to three panels so no
 * scale dwarfs another: the throughput-like ratios to the reference (scenarios 1, 2, 3, 5, 8), the
 * origin fetches of the cold-start herd (scenario 4, a count), and imagecache's figures against their
 * absolute targets (scenarios 6 and 7, as median ÷ target). Systems without a figure get no bar.
 */
final class ChartWriter {
  private static final Set<Integer> RATIO_SCENARIOS = Set.of(1, 2, 3, 5, 8);
  private static final int HERD_SCENARIO = 4;
  private static final Set<Integer> TARGET_SCENARIOS = Set.of(6, 7);
  private static final Pattern UPPER_BOUND = Pattern.compile("≤\\s*([0-9]+(?:\\.[0-9]+)?)");
  private static final int WIDTH = 1200;

  private ChartWriter() {}

  /** Writes the chart of {@code figures} to {@code file} (PNG); empty panels are left out. */
  static void write(Path file, List<ChartFigure> figures) throws IOException {
    List<BufferedImage> bottom = new ArrayList<>();
    Optional<BufferedImage> top = ratioPanel(figures).map(BitmapEncoder::getBufferedImage);
    herdPanel(figures).map(BitmapEncoder::getBufferedImage).ifPresent(bottom::add);
    targetPanel(figures).map(BitmapEncoder::getBufferedImage).ifPresent(bottom::add);
    if (top.isEmpty() && bottom.isEmpty()) {
      CategoryChart empty = chart("no figures measured", "", "", WIDTH, 200);
      empty.addSeries("none", List.of("none"), List.of(0.0));
      top = Optional.of(BitmapEncoder.getBufferedImage(empty));
    }
    int height = top.map(BufferedImage::getHeight).orElse(0)
        + bottom.stream().mapToInt(BufferedImage::getHeight).max().orElse(0);
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      int y = 0;
      if (top.isPresent()) {
        g.drawImage(top.get(), 0, 0, null);
        y = top.get().getHeight();
      }
      int x = 0;
      for (BufferedImage panel : bottom) {
        g.drawImage(panel, x, y, null);
        x += panel.getWidth();
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  /** Each scenario's headline (first) figure: every system's median ratio to the section's reference. */
  private static Optional<CategoryChart> ratioPanel(List<ChartFigure> figures) {
    Map<String, Map<String, Double>> bySeries = new LinkedHashMap<>();
    List<String> categories = new ArrayList<>();
    Map<String, Double> referenceBars = new LinkedHashMap<>();
    Set<String> references = new java.util.LinkedHashSet<>();
    for (int scenario : RATIO_SCENARIOS.stream().sorted().toList()) {
      List<ChartFigure> rows = figures.stream().filter(f -> f.scenario() == scenario).toList();
      if (rows.isEmpty()) {
        continue;
      }
      String headline = rows.get(0).figure();
      List<ChartFigure> ratios = rows.stream()
          .filter(f -> f.figure().equals(headline) && f.ratio().isPresent()).toList();
      Optional<String> reference = ratios.stream().filter(ChartFigure::reference).map(ChartFigure::system)
          .findFirst();
      if (ratios.isEmpty()) {
        continue;
      }
      String category = scenario + ": " + headline;
      categories.add(category);
      reference.map(ChartWriter::shortName).ifPresent(references::add);
      for (ChartFigure row : ratios) {
        if (row.reference()) {
          referenceBars.put(category, row.ratio().get());
        } else {
          String series = row.system().startsWith("Glance") ? "Glance" : shortName(row.system());
          bySeries.computeIfAbsent(series, s -> new LinkedHashMap<>()).put(category, row.ratio().get());
        }
      }
    }
    bySeries.put("reference = 1.0 (" + String.join("; ", references) + ")", referenceBars);
    if (categories.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("Headline figure ÷ reference, median over rounds (higher is better)",
        "scenario: headline figure", "ratio to reference", WIDTH, 470);
    addSeries(chart, bySeries, categories);
    return Optional.of(chart);
  }

  /** Scenario 4: origin fetches for 50 clients on one cold image, per system (a count, 1 is ideal). */
  private static Optional<CategoryChart> herdPanel(List<ChartFigure> figures) {
    List<ChartFigure> rows = figures.stream()
        .filter(f -> f.scenario() == HERD_SCENARIO && f.figure().equals("origin fetches")).toList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("4: origin fetches, 50 clients on one cold image (lower is better)", "",
        "origin fetches", WIDTH / 2, 430);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setDecimalPattern("0");
    chart.getStyler().setXAxisLabelRotation(10);
    chart.addSeries("origin fetches", rows.stream().map(f -> shortName(f.system())).toList(),
        rows.stream().map(ChartFigure::median).toList());
    return Optional.of(chart);
  }

  /** Scenarios 6 and 7: imagecache's median ÷ its absolute target (at most 1.0 meets the target). */
  private static Optional<CategoryChart> targetPanel(List<ChartFigure> figures) {
    Map<String, Map<String, Double>> bySeries = new LinkedHashMap<>();
    List<String> categories = new ArrayList<>();
    for (ChartFigure f : figures) {
      Matcher bound = UPPER_BOUND.matcher(f.goal());
      if (!TARGET_SCENARIOS.contains(f.scenario()) || !bound.find()) {
        continue;
      }
      String category = f.scenario() + ": " + f.figure() + " (" + f.goal() + ")";
      if (!categories.contains(category)) {
        categories.add(category);
      }
      // "imagecache (sqlite)" → "sqlite": the panel shows only imagecache, and the legend must fit.
      String series = f.system().startsWith("imagecache (") && f.system().endsWith(")")
          ? f.system().substring("imagecache (".length(), f.system().length() - 1) : f.system();
      bySeries.computeIfAbsent(series, s -> new LinkedHashMap<>())
          .put(category, f.median() / Double.parseDouble(bound.group(1)));
    }
    if (categories.isEmpty()) {
      return Optional.empty();
    }
    CategoryChart chart = chart("imagecache median ÷ target (≤ 1.0 meets it)", "", "median ÷ target",
        WIDTH / 2, 430);
    double highest = bySeries.values().stream().flatMap(m -> m.values().stream()).mapToDouble(d -> d).max()
        .orElse(1);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(Math.max(1.2, highest * 1.1));
    addSeries(chart, bySeries, categories);
    return Optional.of(chart);
  }

  private static CategoryChart chart(String title, String xTitle, String yTitle, int width, int height) {
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setDecimalPattern("0.00");
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setOverlapped(false);
    return chart;
  }

  /** One series per system; a category the system has no figure for gets no bar (null). */
  private static void addSeries(CategoryChart chart, Map<String, Map<String, Double>> bySeries,
      List<String> categories) {
    for (Map.Entry<String, Map<String, Double>> series : bySeries.entrySet()) {
      if (series.getValue().isEmpty()) {
        continue;
      }
      Double[] values = new Double[categories.size()];
      for (int i = 0; i < categories.size(); i++) {
        values[i] = series.getValue().get(categories.get(i));
      }
      chart.addSeries(series.getKey(), categories, Arrays.asList(values));
    }
  }

  /** A system's name short enough for an axis label. */
  private static String shortName(String system) {
    return system.replace("nginx proxy_cache_lock (default 5s/5s)", "nginx lock 5s")
        .replace("nginx proxy_cache_lock (tuned 1h/1h)", "nginx lock 1h")
        .replace("plain download from the origin (curl)", "plain curl download")
        .replace("plain download saved to a file (curl -o, then fdatasync)", "saved to a file + fdatasync")
        .replace("JDK MD5 alone, one core, in memory", "MD5 alone, 1 core")
        .replace("JDK SHA-512 alone, one core, in memory", "SHA-512 alone, 1 core");
  }
}
