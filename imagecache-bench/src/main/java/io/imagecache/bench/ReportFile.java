package io.imagecache.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back an earlier {@code benchmarks.md}: its scenario sections (so a run of some scenarios keeps
 * the others), the run each section came from, and the figures of its tables (for the chart).
 */
final class ReportFile {
  /** The line under a section's heading naming the run that measured it. */
  static final String RUN_PREFIX = "Run: ";

  private static final Pattern HEADING = Pattern.compile("(?m)^## (\\d+)\\. ");
  private static final Pattern RUN_COMMAND = Pattern.compile("(?m)^" + RUN_PREFIX + ".*: `(.+)`$");
  private static final Pattern OLD_DATE = Pattern.compile("(?m)^- \\*\\*Date:\\*\\* (.+)$");
  private static final Pattern OLD_ROUNDS = Pattern.compile("(?m)^- \\*\\*Rounds:\\*\\* (\\d+) \\(scenario 4: (\\d+)\\)");
  private static final Pattern OLD_COMMAND = Pattern.compile("(?s)```\\n(.+?)\\n```");
  private static final Pattern REFERENCE = Pattern.compile("(?m)^Reference for ratios: \\*\\*(.+)\\*\\*\\.$");
  private static final Pattern WITH_UNIT = Pattern.compile("^(.*) \\(([^()]*)\\)$");

  private ReportFile() {}

  /**
   * The sections of {@code markdown} by scenario id, each from its {@code ## N.} heading up to the next
   * heading, with a {@link #RUN_PREFIX} line added from the file's header when it had none (files written
   * before sections carried their run).
   */
  static SortedMap<Integer, String> sections(String markdown) {
    SortedMap<Integer, String> sections = new TreeMap<>();
    Matcher heading = HEADING.matcher(markdown);
    List<Integer> starts = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    while (heading.find()) {
      starts.add(heading.start());
      ids.add(Integer.parseInt(heading.group(1)));
    }
    Optional<String> headerRun = starts.isEmpty() ? Optional.empty() : headerRun(markdown.substring(0, starts.get(0)));
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : markdown.length();
      String text = markdown.substring(starts.get(i), end).strip() + "\n";
      if (headerRun.isPresent() && !text.contains("\n" + RUN_PREFIX)) {
        int lineEnd = text.indexOf('\n');
        text = text.substring(0, lineEnd + 1) + "\n" + headerRun.get() + "\n" + text.substring(lineEnd + 1);
      }
      sections.put(ids.get(i), text);
    }
    return sections;
  }

  /** The run line of a section, as {@link Report} writes it under the heading. */
  static String runLine(String date, int rounds, int herdRounds, String command) {
    return RUN_PREFIX + date + ", " + rounds + " rounds (scenario 4: " + herdRounds + "): `" + command + "`";
  }

  /** The commands named by the run lines of {@code sections}, first seen first. */
  static Set<String> commands(Iterable<String> sections) {
    Set<String> commands = new LinkedHashSet<>();
    for (String section : sections) {
      Matcher m = RUN_COMMAND.matcher(section);
      while (m.find()) {
        commands.add(m.group(1));
      }
    }
    return commands;
  }

  /** The table rows of section {@code id} (system, figure, unit, goal, median, median ratio). */
  static List<ChartFigure> figures(int id, String section) {
    List<ChartFigure> figures = new ArrayList<>();
    Matcher reference = REFERENCE.matcher(section);
    String referenceSystem = reference.find() ? reference.group(1) : "";
    for (String line : section.split("\n")) {
      if (!line.startsWith("| ") || line.startsWith("| system |")) {
        continue;
      }
      String[] cells = line.split("\\|", -1);
      if (cells.length < 9) {
        continue;
      }
      String system = cells[1].trim();
      Matcher figure = WITH_UNIT.matcher(cells[2].trim());
      String name = figure.matches() ? figure.group(1) : cells[2].trim();
      String unit = figure.matches() ? figure.group(2) : "";
      String ratio = cells[5].trim();
      try {
        double median = Double.parseDouble(cells[3].trim());
        Optional<Double> ratioMedian = ratio.startsWith("—") ? Optional.empty()
            : Optional.of(Double.parseDouble(ratio.split(" ")[0]));
        figures.add(new ChartFigure(id, system, system.equals(referenceSystem), name, unit, cells[7].trim(), median, ratioMedian));
      } catch (NumberFormatException e) {
        // not a row of figures
      }
    }
    return figures;
  }

  /** The run line for sections of a file written before sections carried their own. */
  private static Optional<String> headerRun(String header) {
    Matcher date = OLD_DATE.matcher(header);
    Matcher rounds = OLD_ROUNDS.matcher(header);
    Matcher command = OLD_COMMAND.matcher(header);
    if (!date.find() || !rounds.find() || !command.find() || command.group(1).contains("\n")) {
      return Optional.empty();
    }
    return Optional.of(runLine(date.group(1).trim(), Integer.parseInt(rounds.group(1)),
        Integer.parseInt(rounds.group(2)), command.group(1).trim()));
  }
}
