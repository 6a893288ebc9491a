package io.imagecache.cli;

import io.imagecache.Sizes;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code imagecache list}: a table of the cached images (size, hits, local times), then the
 * queued ids; with {@code --json} the server's listing as it came.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Lists the cached images, then the queued ones.")
final class ListCommand extends ClientCommand {

  ListCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    JsonAnswer answer = api.sendForJson("GET", "/v2/cache");
    CacheListing listing = answer.as(CacheListing::from);
    if (json()) {
      printJson(out, answer);
      return;
    }
    if (listing.cached().isEmpty() && listing.queued().isEmpty()) {
      out.println("No images are cached or queued.");
      return;
    }
    ZoneId zone = runtime().clock().getZone();
    Table table = new Table("ID", "STATE", "PINNED", "SIZE", "HITS", "LAST ACCESSED",
        "LAST MODIFIED").alignRight(3).alignRight(4);
    for (CacheListing.Entry image : listing.cached()) {
      table.row(image.imageId(), "cached", image.pinned() ? "yes" : "no",
          Sizes.format(image.size()), Long.toString(image.hits()),
          localTime(image.lastAccessed(), zone), localTime(image.lastModified(), zone));
    }
    for (String queued : listing.queued()) {
      table.row(queued, "queued", "-", "-", "-", "-", "-");
    }
    table.lines().forEach(out::println);
  }

  /** Epoch seconds as a local ISO date-time to the second, {@code -} for 0 (never). */
  static String localTime(double epochSeconds, ZoneId zone) {
    if (epochSeconds == 0) {
      return "-";
    }
    Instant instant = Instant.ofEpochSecond((long) Math.floor(epochSeconds));
    return LocalDateTime.ofInstant(instant, zone).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
  }
}
