package io.imagecache.cli;

import io.imagecache.Sizes;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code imagecache prune}: evicts least recently used images down to the size limit. */
@Command(name = "prune", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Removes least recently used images until the cache fits its size limit.")
final class PruneCommand extends ClientCommand {

  PruneCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    JsonAnswer answer = api.sendForJson("POST", "/v2/cache/prune");
    if (json()) {
      printJson(out, answer);
      return;
    }
    String what = "the prune result";
    long files = answer.as(tree -> JsonFields.count(tree, "total_files_pruned", what));
    long bytes = answer.as(tree -> JsonFields.count(tree, "total_bytes_pruned", what));
    if (files == 0) {
      out.println("Nothing to prune: the cache fits its size limit.");
    } else {
      out.println("Pruned " + counted(files, "image") + ", " + Sizes.format(bytes)
          + " in total.");
    }
  }
}
