package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code imagecache unpin ID}: lets pruning remove the image again; unpinned ones stay so. */
@Command(name = "unpin", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Unpins an image so that pruning may remove it again.")
final class UnpinCommand extends ImageCommand {

  UnpinCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    api.send("DELETE", "/v2/cache/" + imageId() + "/pin");
    if (!json()) {
      out.println("Unpinned " + imageId() + ".");
    }
  }
}
