package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imagecache delete [--fleet] ID}: removes one image from the cache and from the queue, of
 * this node or (with {@code --fleet}, driver postgres) of every node sharing its database.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Removes an image from the cache and from the queue.")
final class DeleteCommand extends ImageCommand {

  @Option(names = "--fleet", description = "Delete it on every node of the fleet (the server"
      + " must run driver postgres): nodes that are down delete it when they start.")
  private boolean fleet;

  DeleteCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    api.send("DELETE", "/v2/cache/" + imageId() + (fleet ? "?scope=fleet" : ""));
    if (!json()) {
      out.println("Deleted " + imageId() + " from the cache and the queue"
          + (fleet ? " of every node of the fleet." : "."));
    }
  }
}
