package io.imagecache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Writes {@code benchmarks.md}: one table per scenario with medians, ranges and ratios. */
final class Report {
  private Report() {}

  /** Renders {@code results} of a run on {@code machine} with {@code rounds} rounds into {@code file}. */
  static void write(Path file, Machine machine, RunnerOptions options, List<ScenarioResult> results,
      String command, String chartName) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# imagecache end-to-end benchmarks\n\n");
    md.append("Written by `io.imagecache.bench.BenchmarkRunner` (issue #5). Regenerate with:\n\n");
    md.append("```\n").append(command).append("\n```\n\n");
    md.append("- **Date:** ").append(machine.date()).append("\n");
    md.append("- **Machine:** ").append(machine.summary()).append("\n");
    md.append("- **Rounds:** ").append(options.rounds()).append(" (scenario 4: ").append(options.herdRounds())
        .append("); the compared systems run in alternation within each round (A B A B …).\n");
    md.append("- All traffic on 127.0.0.1; clients (curl, wrk, the JDK HttpClient) share the CPUs with the")
        .append(" servers, so these are loopback figures for this machine, not NIC figures. MB = 10^6 bytes.\n");
    md.append("- **Ratio** = the system's value divided by the reference's value in the same round")
        .append(" (median and min–max over rounds); the reference is named in each section.\n");
    md.append("- CPU s/GiB = utime + stime of the server's process tree (`/proc/PID/stat`, before and after)")
        .append(" per GiB served.\n\n");
    md.append("![benchmarks](").append(chartName).append(")\n\n");
    for (ScenarioResult result : results) {
      md.append("## ").append(result.id()).append(". ").append(result.title()).append("\n\n");
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
          String goal = row.system().equals("imagecache") ? row.figure().goal() : "";
          md.append("| ").append(row.system()).append(" | ").append(row.figure().name())
              .append(unit.isEmpty() ? "" : " (" + unit + ")").append(" | ").append(fmt(s.median()))
              .append(" | ").append(fmt(s.min())).append("–").append(fmt(s.max())).append(" | ").append(ratio)
              .append(" | ").append(perRound).append(" | ").append(goal).append(" | ")
              .append(machine.date(), 0, 10).append(" | ").append(machine.cpus()).append(" vCPU, ")
              .append(machine.kernel()).append(" |\n");
        }
        md.append("\n");
      }
      for (String note : result.notes()) {
        md.append("- ").append(note).append("\n");
      }
      md.append("\n");
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, md.toString());
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
