package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code imagecache nodes ID}: the URLs of the fleet's nodes that hold the image, one a line. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Lists the URLs of the nodes that have an image cached (driver postgres).")
final class NodesCommand extends ImageCommand {

  NodesCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    JsonAnswer answer;
    try {
      answer = api.sendForJson("GET", "/v2/cache/nodes/" + imageId());
    } catch (ClientFailure failure) {
      if (failure.status().orElse(0) == 409) {
        throw ClientFailure.failed(
            "this cache's driver does not track nodes (use --driver postgres)");
      }
      throw failure;
    }
    List<String> urls = answer.as(NodesCommand::urls);
    if (json()) {
      printJson(out, answer);
    } else if (urls.isEmpty()) {
      warn("no node has " + imageId() + " cached");
    } else {
      urls.forEach(out::println);
    }
  }

  private static List<String> urls(JsonNode tree) {
    if (!tree.isArray()) {
      throw new IllegalArgumentException("expected a list of node URLs");
    }
    List<String> urls = new ArrayList<>();
    for (JsonNode url : tree) {
      urls.add(JsonFields.text(url, "a node URL"));
    }
    return urls;
  }
}
