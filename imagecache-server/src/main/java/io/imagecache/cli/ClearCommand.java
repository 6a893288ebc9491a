package io.imagecache.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imagecache clear [--target cache|queue|both]}: empties the cache, the queue or both.
 * Without {@code --target} no header is sent, which every server (Glance too) reads as both.
 */
@Command(name = "clear", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "Removes every cached image, every queued id, or both.")
final class ClearCommand extends ClientCommand {

  /** The header of {@code DELETE /v2/cache} that says what to clear. */
  static final String TARGET_HEADER = "x-image-cache-clear-target";

  private static final Map<String, String> CLEARED = Map.of(
      "cache", "the cache", "queue", "the queue", "both", "the cache and the queue");

  @Option(names = "--target", paramLabel = "cache|queue|both",
      description = "What to clear (default: both)")
  private String target;

  ClearCommand(Map<String, String> environment, ClientRuntime runtime) {
    super(environment, runtime);
  }

  @Override
  void checkArguments() throws ClientFailure {
    if (target != null && !CLEARED.containsKey(target.toLowerCase(Locale.ROOT))) {
      throw ClientFailure.usage(
          "invalid --target \"" + target + "\": expected cache, queue or both");
    }
  }

  @Override
  void run(ApiClient api, PrintWriter out) throws ClientFailure {
    String chosen = target == null ? "both" : target.toLowerCase(Locale.ROOT);
    api.send("DELETE", "/v2/cache",
        target == null ? Map.of() : Map.of(TARGET_HEADER, chosen));
    if (!json()) {
      out.println("Cleared " + CLEARED.get(chosen) + ".");
    }
  }
}
