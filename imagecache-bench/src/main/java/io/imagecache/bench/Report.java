package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes {@code benchmarks.md}: one table per scenario with medians, ranges and ratios. Sections of
 * scenarios not run this time are kept from the file already there (unless told not to), each with
 * the line naming the run that measured it.
 */
final class Report {
  private Report() {}

  /**
   * Renders {@code results} of a run on {@code machine} into {@code file}, merged with the sections of
   * other scenarios already in it when {@code keepOthers}; returns the figures of every section written.
   */
  static List<ChartFigure> write(Path file, Machine machine, RunnerOptions options, List<ScenarioResult> results,
      String command, String chartName, boolean keepOthers) throws IOException {
    SortedMap<Integer, String> sections = new TreeMap<>();
    if (keepOthers && Files.isRegularFile(file)) {
      sections.putAll(ReportFile.sections(Files.readString(file)));
    }
    Set<Integer> kept = new TreeSet<>(sections.keySet());
    String run = ReportFile.runLine(machine.date(), options.rounds(), options.herdRounds(), command);
    for (ScenarioResult result : results) {
      sections.put(result.id(), section(result, machine, run));
      kept.remove(result.id());
    }
    StringBuilder md = new StringBuilder();
    md.append("# imagecache end-to-end benchmarks\n\n");
    md.append("Written by `io.imagecache.bench.BenchmarkRunner` (issue #5). Regenerate with")
        .append(" (each section's \"Run\" line names the command that measured it):\n\n");
    md.append("```\n").append(String.join("\n", ReportFile.commands(sections.values()))).append("\n```\n\n");
    md.append("- **Latest run:** ").append(machine.date()).append(", scenarios ")
        .append(results.stream().map(r -> Integer.toString(r.id())).collect(Collectors.joining(", ")));
    if (!kept.isEmpty()) {
      md.append("; scenarios ").append(kept.stream().map(String::valueOf).collect(Collectors.joining(", ")))
          .append(" kept from earlier runs");
    }
    md.append(".\n");
    md.append("- **Machine:** ").append(machine.summary()).append("\n");
    md.append("- **Rounds:** as each section's Run line says; the compared systems run in alternation within")
        .append(" each round (A B A B …).\n");
    md.append("- All traffic on 127.0.0.1; clients (curl, wrk, the JDK HttpClient) share the CPUs with the")
        .append(" servers, so these are loopback figures for this machine, not NIC figures. MB = 10^6 bytes.\n");
    md.append("- **Ratio** = the system's value divided by the reference's value in the same round")
        .append(" (median and min–max over rounds); the reference is named in each section.\n");
    md.append("- CPU s/GiB = utime + stime of the server's process tree (`/proc/PID/stat`, before and after)")
        .append(" per GiB served.\n\n");
    md.append("![benchmarks](").append(chartName).append(")\n\n");
    List<ChartFigure> figures = new ArrayList<>();
    for (Map.Entry<Integer, String> section : sections.entrySet()) {
      md.append(section.getValue()).append("\n");
      figures.addAll(ReportFile.figures(section.getKey(), section.getValue()));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, md.toString());
    return figures;
  }

  /** The markdown of one scenario's section, ending in a newline. */
  private static String section(ScenarioResult result, Machine machine, String run) {
    StringBuilder md = new StringBuilder();
    md.append("## ").append(result.id()).append(". ").append(result.title()).append("\n\n");
    md.append(run).append("\n\n");
    if (!result.setup().isEmpty()) {
      md.append(result.setup()).append("\n\n");
    }
    if (!result.rows().isEmpty()) {
      md.append("Reference for ratios: **").append(result.reference()).append("**.\n\n");
      md.append("| system | figure | median | min–max | ratio to ").append(result.reference())
          .append(" (median, min–max) | ratio per round | goal | date | machine |\n");
      md.append("|---|---|---|---|---|---|---|---|---|\n");
      for (ResultRow row : result.rows()) {
        Stats s = row.stats();
        String unit = row.figure().unit();
        String ratio = row.ratioStats().map(r -> fmt(r.median()) + " (" + fmt(r.min()) + "–" + fmt(r.max()) + ")")
            .orElse("—");
        String perRound = row.ratios().isEmpty() ? "—"
            : row.ratios().stream().map(Report::fmt).collect(Collectors.joining(", "));
        String goal = row.system().startsWith("imagecache") ? row.figure().goal() : "";
        md.append("| ").append(row.system()).append(" | ").append(row.figure().name())
            .append(unit.isEmpty() ? "" : " (" + unit + ")").append(" | ").append(fmt(s.median()))
            .append(" | ").append(fmt(s.min())).append("–").append(fmt(s.max())).append(" | ").append(ratio)
            .append(" | ").append(perRound).append(" | ").append(goal).append(" | ")
            .append(machine.date(), 0, 10).append(" | ").append(machine.cpus()).append(" vCPU, ")
            .append(machine.kernel()).append(" |\n");
      }
      md.append("\n");
    }
    if (!result.notes().isEmpty()) {
      for (String note : result.notes()) {
        md.append("- ").append(note).append("\n");
      }
      md.append("\n");
    }
    return md.toString().strip() + "\n";
  }

  /** A number with 3 significant-ish digits: 1234, 12.3, 1.23, 0.123. */
  static String fmt(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.1 || a == 0) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
