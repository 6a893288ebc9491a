package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code imagecache delete ID}: removes one image from the cache and from the queue. */
@Command(name = "delete", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Removes an image from the cache and from the queue.")
final class DeleteCommand extends ImageCommand {

  DeleteCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    api.send("DELETE", "/v2/cache/" + imageId());
    if (!json()) {
      out.println("Deleted " + imageId() + " from the cache and the queue.");
    }
  }
}
