package io.imagecache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagecache.Sizes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imagecache nodes ID}: the URLs of the fleet's nodes that hold the image, one a line; with
 * {@code --detail} a table of every live node's state for it.
 */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Lists the URLs of the nodes that have an image cached (driver postgres).")
final class NodesCommand extends ImageCommand {

  @Option(names = "--detail", description = "Show each live node's state (cached, or filling"
      + " with its bytes so far) and last heartbeat")
  private boolean detail;

  NodesCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  /** One row of {@code ?detail=true}. */
  private record Node(String url, String state, OptionalLong bytes, OptionalLong size,
      String lastHeartbeat) {}

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    JsonAnswer answer;
    try {
      answer = api.sendForJson("GET",
          "/v2/cache/nodes/" + imageId() + (detail ? "?detail=true" : ""));
    } catch (ClientFailure failure) {
      if (failure.status().orElse(0) == 409) {
        throw ClientFailure.failed(
            "this cache's driver does not track nodes (use --driver postgres)");
      }
      throw failure;
    }
    if (detail) {
      printDetail(answer.as(NodesCommand::nodes), answer, out);
      return;
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

  private void printDetail(List<Node> nodes, JsonAnswer answer, PrintWriter out) {
    if (json()) {
      printJson(out, answer);
      return;
    }
    if (nodes.isEmpty()) {
      warn("no live node has " + imageId() + " cached or is filling it");
      return;
    }
    Table table = new Table("NODE", "STATE", "BYTES", "LAST HEARTBEAT").alignRight(2);
    for (Node node : nodes) {
      String bytes = node.bytes().isEmpty() ? "-" : Sizes.format(node.bytes().getAsLong());
      if (node.state().equals("filling")) {
        bytes += " / " + (node.size().isEmpty() ? "?" : Sizes.format(node.size().getAsLong()));
      }
      table.row(node.url(), node.state(), bytes, node.lastHeartbeat());
    }
    table.lines().forEach(out::println);
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

  private static List<Node> nodes(JsonNode tree) {
    List<Node> nodes = new ArrayList<>();
    for (JsonNode entry : JsonFields.array(JsonFields.object(tree, "the answer"), "nodes")) {
      JsonFields.object(entry, "a node");
      nodes.add(new Node(JsonFields.text(entry, "url", "a node"),
          JsonFields.text(entry, "state", "a node"),
          JsonFields.optionalCount(entry, "bytes", "a node"),
          JsonFields.optionalCount(entry, "size", "a node"),
          JsonFields.optionalText(entry, "last_heartbeat", "a node").orElse("-")));
    }
    return nodes;
  }
}
