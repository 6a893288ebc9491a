package io.imagecache.cli;

import io.imagecache.Sizes;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code imagecache status}: what the server is doing now, from {@code GET /v2/cache/status}: a
 * table of the fills in progress (bytes so far of the size, the rate since each started, the
 * time left at that rate) and a table of what the prefetch queue knows (state, attempts, the last
 * error); with {@code --json} the server's answer as it came.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Shows the fills in progress and the prefetch queue's states.")
final class StatusCommand extends ClientCommand {

  StatusCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    JsonAnswer answer = api.sendForJson("GET", "/v2/cache/status");
    CacheStatus status = answer.as(CacheStatus::from);
    if (json()) {
      printJson(out, answer);
      return;
    }
    if (status.fills().isEmpty() && status.prefetch().isEmpty()) {
      out.println("No fills are running and the prefetch queue is empty.");
      return;
    }
    Instant now = runtime().clock().instant();
    if (status.fills().isEmpty()) {
      out.println("No fills are running.");
    } else {
      Table fills = new Table("FILL", "STATE", "DONE", "BYTES", "RATE", "LEFT")
          .alignRight(2).alignRight(3).alignRight(4).alignRight(5);
      for (CacheStatus.Fill fill : status.fills()) {
        Optional<TransferRate> rate = fill.rate(now);
        long size = fill.expectedSize().orElse(-1);
        fills.row(fill.imageId(), fill.state(),
            size > 0 ? percent(fill.bytesWritten(), size) : "-",
            Sizes.format(fill.bytesWritten()) + (size >= 0 ? " / " + Sizes.format(size) : ""),
            rate.map(TransferRate::text).orElse("-"),
            rate.filter(r -> size > fill.bytesWritten() && fill.state().equals("running"))
                .map(r -> TransferRate.text(r.timeFor(size - fill.bytesWritten())))
                .orElse("-"));
      }
      fills.lines().forEach(out::println);
    }
    out.println();
    if (status.prefetch().isEmpty()) {
      out.println("The prefetch queue is empty.");
    } else {
      Table prefetch = new Table("PREFETCH", "STATE", "ATTEMPTS", "LAST ERROR").alignRight(2);
      for (CacheStatus.Prefetch entry : status.prefetch()) {
        prefetch.row(entry.imageId(), entry.state(), Long.toString(entry.attempts()),
            entry.lastError().map(ApiClient::firstLine).orElse("-"));
      }
      prefetch.lines().forEach(out::println);
    }
  }

  /** The whole percent done, 100 only when everything is. */
  private static String percent(long done, long total) {
    long percent = Math.min(100, done * 100 / total);
    return (done < total ? Math.min(99, percent) : percent) + "%";
  }
}
