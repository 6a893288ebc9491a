package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code imagecache pin ID}: keeps a cached image from ever being pruned. */
@Command(name = "pin", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Pins an image so that pruning never removes it.")
final class PinCommand extends ImageCommand {

  PinCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    api.send("PUT", "/v2/cache/" + imageId() + "/pin");
    if (!json()) {
      out.println("Pinned " + imageId() + ": pruning will not remove it.");
    }
  }
}
