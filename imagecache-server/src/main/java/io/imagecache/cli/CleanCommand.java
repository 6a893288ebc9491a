package io.imagecache.cli;

import io.imagecache.Sizes;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code imagecache clean}: removes invalid files and stalled incomplete ones, and says how many.
 * A server that answers without counts (Glance does) gets a plain confirmation.
 */
@Command(name = "clean", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Removes invalid files and incomplete files older than the stall time.")
final class CleanCommand extends ClientCommand {

  CleanCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    String body = api.send("POST", "/v2/cache/clean");
    if (body.isBlank()) {
      if (!json()) {
        out.println("Cleaned the cache (the server reported no counts).");
      }
      return;
    }
    JsonAnswer answer = api.parseJson("POST /v2/cache/clean", body);
    if (json()) {
      printJson(out, answer);
      return;
    }
    String what = "the clean result";
    long invalid = answer.as(tree -> JsonFields.count(tree, "invalid_files_removed", what));
    long stalled = answer.as(tree -> JsonFields.count(tree, "stalled_files_removed", what));
    long bytes = answer.as(tree -> JsonFields.count(tree, "total_bytes_removed", what));
    if (invalid == 0 && stalled == 0) {
      out.println("Nothing to clean: no invalid or stalled files.");
    } else {
      out.println("Removed " + counted(invalid, "invalid file") + " and "
          + counted(stalled, "stalled file") + ", " + Sizes.format(bytes) + " in total.");
    }
  }
}
