package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imagecache.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imagecache queue ID... [--wait [--timeout DURATION]]}: queues each image; with
 * {@code --wait}, follows them with a progress line each until all are cached (exit 0), a
 * prefetch gives up (exit 1 with its error) or the timeout passes (exit 1).
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = {"Queues images to be fetched into the cache.",
        "With --wait, shows a progress line per image until all are cached."})
final class QueueCommand extends ClientCommand {

  @Parameters(arity = "1..*", paramLabel = "ID", description = "The images to queue")
  private List<String> ids;

  @Option(names = "--wait",
      description = "Wait until every image is cached, showing its progress;"
          + " exit 1 as soon as one fails")
  private boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "With --wait: exit 1 when not all are cached after this long,"
          + " e.g. 90s, 30m (default: no limit)")
  private String timeout;

  /** The distinct ids in order, set by checkArguments on the command's thread. */
  private List<String> imageIds = List.of();
  /** The parsed --timeout, set by checkArguments on the command's thread. */
  private Optional<Duration> limit = Optional.empty();

  QueueCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void checkArguments() throws ClientFailure {
    Set<String> distinct = new LinkedHashSet<>();
    for (String id : ids) {
      distinct.add(imageId(id));
    }
    imageIds = List.copyOf(distinct);
    if (timeout != null) {
      if (!wait) {
        throw ClientFailure.usage("--timeout only applies with --wait");
      }
      Duration parsed;
      try {
        parsed = Durations.parse(timeout);
      } catch (IllegalArgumentException e) {
        throw ClientFailure.usage("invalid --timeout: " + e.getMessage());
      }
      if (parsed.isZero()) {
        throw ClientFailure.usage("invalid --timeout \"" + timeout + "\": must be longer than 0");
      }
      limit = Optional.of(parsed);
    }
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    List<String> refused = new ArrayList<>();
    for (String id : imageIds) {
      try {
        api.send("PUT", "/v2/cache/" + id);
      } catch (ClientFailure failure) {
        if (failure.status().isEmpty() || imageIds.size() == 1) {
          throw failure;
        }
        warn(id + ": " + failure.getMessage());
        refused.add(id);
        continue;
      }
      if (!wait && !json()) {
        out.println("Queued " + id + ".");
      }
    }
    if (!refused.isEmpty()) {
      throw ClientFailure.failed(refused.size() == imageIds.size() ? "no image was queued"
          : counted(refused.size(), "image") + " of " + imageIds.size() + " could not be queued");
    }
    if (!wait) {
      return;
    }
    ProgressDisplay display = new ProgressDisplay(out, runtime().ansiTerminal());
    JsonNode listing = new QueueWaiter(api, runtime(), json() ? progress -> { } : display::show)
        .await(imageIds, limit, timeout == null ? "" : timeout);
    if (json()) {
      out.println(cachedEntries(listing).toPrettyString());
    }
  }

  /** {@code {"cached_images": [...]}} with the listing's entries of the queued images. */
  private ObjectNode cachedEntries(JsonNode listing) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    ArrayNode entries = result.putArray("cached_images");
    for (JsonNode entry : listing.path("cached_images")) {
      if (imageIds.contains(entry.path("image_id").asText())) {
        entries.add(entry);
      }
    }
    return result;
  }
}
