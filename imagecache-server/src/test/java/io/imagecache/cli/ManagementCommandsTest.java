package io.imagecache.cli;

import static io.imagecache.cli.ScriptedApiServer.Answer.empty;
import static io.imagecache.cli.ScriptedApiServer.Answer.json;
import static io.imagecache.cli.ScriptedApiServer.Answer.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** delete, clear, clean, prune, nodes, pin and unpin against a scripted API. */
class ManagementCommandsTest {

  private ScriptedApiServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = ScriptedApiServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---- delete

  @Test
  void deleteSendsDeleteWithTheTokenAndConfirms() {
    server.on("DELETE", "/v2/cache/img-1", empty(204));

    CliRun.Result result = run("delete", "img-1");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(line("Deleted img-1 from the cache and the queue."));
    assertThat(server.requests()).singleElement().satisfies(request -> {
      assertThat(request.line()).isEqualTo("DELETE /v2/cache/img-1");
      assertThat(request.header("X-Auth-Token")).contains("s3cret");
    });
  }

  @Test
  void deleteFleetAsksForAFleetScopeDelete() {
    server.on("DELETE", "/v2/cache/img-1?scope=fleet", empty(204));

    CliRun.Result result = run("delete", "img-1", "--fleet");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(
        line("Deleted img-1 from the cache and the queue of every node of the fleet."));
    assertThat(server.requests()).singleElement().satisfies(
        request -> assertThat(request.line()).isEqualTo("DELETE /v2/cache/img-1?scope=fleet"));
  }

  @Test
  void deleteOfAnUnknownImageExitsWith1WithTheServersMessage() {
    server.on("DELETE", "/v2/cache/img-1", text(404, "Image img-1 not found."));

    CliRun.Result result = run("delete", "img-1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(line("imagecache delete: server answered 404: Image img-1 not found."));
  }

  @Test
  void aBadImageIdExitsWith2WithoutSendingAnything() {
    for (String command : new String[] {"delete", "nodes", "pin", "unpin"}) {
      CliRun.Result result = run(command, "../etc");

      assertThat(result.exitCode()).as(command).isEqualTo(2);
      assertThat(result.err()).as(command).isEqualTo(line("imagecache " + command
          + ": invalid image id \"../etc\": expected 1-255 characters of letters, digits,"
          + " '.', '_' or '-', and not '.' or '..'"));
    }
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aMissingImageIdIsAUsageError() {
    CliRun.Result result = run("pin");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("imagecache pin: Missing required parameter: 'ID'");
  }

  // ---- clear

  @ParameterizedTest
  @CsvSource(nullValues = "none", value = {
      "none,  none,  Cleared the cache and the queue.",
      "both,  both,  Cleared the cache and the queue.",
      "cache, cache, Cleared the cache.",
      "Queue, queue, Cleared the queue."})
  void clearSendsTheTargetHeaderOnlyWhenATargetIsGiven(
      String target, String header, String confirmation) {
    server.on("DELETE", "/v2/cache", empty(204));

    CliRun.Result result = target == null ? run("clear") : run("clear", "--target", target);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(line(confirmation));
    assertThat(server.requests()).singleElement().satisfies(request -> {
      assertThat(request.line()).isEqualTo("DELETE /v2/cache");
      assertThat(request.header("x-image-cache-clear-target"))
          .isEqualTo(Optional.ofNullable(header));
    });
  }

  @Test
  void clearWithAnUnknownTargetExitsWith2WithoutSendingAnything() {
    CliRun.Result result = run("clear", "--target", "all");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo(
        line("imagecache clear: invalid --target \"all\": expected cache, queue or both"));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void clearRejectedByTheServerExitsWith1() {
    server.on("DELETE", "/v2/cache", text(400,
        "If provided 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string."));

    CliRun.Result result = run("clear", "--target", "both");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(line("imagecache clear: server answered 400: If provided"
        + " 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string."));
  }

  // ---- clean and prune

  @Test
  void cleanPrintsTheCountsAsASentence() {
    server.on("POST", "/v2/cache/clean", json(
        "{\"invalid_files_removed\": 2, \"stalled_files_removed\": 1,"
            + " \"total_bytes_removed\": 3145728}"));

    CliRun.Result result = run("clean");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(line("Removed 2 invalid files and 1 stalled file, 3.0 MiB in total."));
    assertThat(server.requestLines()).containsExactly("POST /v2/cache/clean");
  }

  @Test
  void cleanWithNothingToRemoveSaysSo() {
    server.on("POST", "/v2/cache/clean", json(
        "{\"invalid_files_removed\": 0, \"stalled_files_removed\": 0,"
            + " \"total_bytes_removed\": 0}"));

    assertThat(run("clean").out())
        .isEqualTo(line("Nothing to clean: no invalid or stalled files."));
  }

  @Test
  void cleanAgainstAServerThatReportsNoCountsStillSucceeds() {
    server.on("POST", "/v2/cache/clean", empty(200));

    CliRun.Result result = run("clean");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(line("Cleaned the cache (the server reported no counts)."));
  }

  @Test
  void cleanJsonPrintsTheServersCounts() throws IOException {
    String counts = "{\"invalid_files_removed\": 2, \"stalled_files_removed\": 1,"
        + " \"total_bytes_removed\": 3145728}";
    server.on("POST", "/v2/cache/clean", json(counts));

    CliRun.Result result = run("clean", "--json");

    assertThat(result.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(result.out()))
        .isEqualTo(new ObjectMapper().readTree(counts));
  }

  @Test
  void prunePrintsTheCountsAsASentence() {
    server.on("POST", "/v2/cache/prune",
        json("{\"total_files_pruned\": 3, \"total_bytes_pruned\": 3221225472}"));

    CliRun.Result result = run("prune");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(line("Pruned 3 images, 3.0 GiB in total."));
    assertThat(server.requestLines()).containsExactly("POST /v2/cache/prune");
  }

  @Test
  void pruneWithNothingToPruneSaysSo() {
    server.on("POST", "/v2/cache/prune",
        json("{\"total_files_pruned\": 0, \"total_bytes_pruned\": 0}"));

    assertThat(run("prune").out())
        .isEqualTo(line("Nothing to prune: the cache fits its size limit."));
  }

  @Test
  void pruneJsonPrintsTheServersCounts() throws IOException {
    server.on("POST", "/v2/cache/prune",
        json("{\"total_files_pruned\": 1, \"total_bytes_pruned\": 1024}"));

    CliRun.Result result = run("prune", "--json");

    assertThat(new ObjectMapper().readTree(result.out()).path("total_files_pruned").asLong())
        .isEqualTo(1);
  }

  @Test
  void aServerErrorDuringPruneExitsWith1() {
    server.on("POST", "/v2/cache/prune", text(500, "internal error"));

    CliRun.Result result = run("prune");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(line("imagecache prune: server answered 500: internal error"));
  }

  @Test
  void aCountsAnswerWithoutItsFieldsExitsWith1() {
    server.on("POST", "/v2/cache/prune", json("{}"));

    CliRun.Result result = run("prune");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(line("imagecache prune: unexpected answer to"
        + " POST /v2/cache/prune: the prune result has no \"total_files_pruned\""));
  }

  // ---- nodes

  @Test
  void nodesPrintsOneUrlPerLine() {
    server.on("GET", "/v2/cache/nodes/img-1",
        json("[\"http://node-1:9292\", \"http://node-2:9292\"]"));

    CliRun.Result result = run("nodes", "img-1");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("http://node-1:9292", "http://node-2:9292");
  }

  @Test
  void nodesJsonPrintsTheList() throws IOException {
    server.on("GET", "/v2/cache/nodes/img-1", json("[\"http://node-1:9292\"]"));

    CliRun.Result result = run("nodes", "img-1", "--json");

    assertThat(new ObjectMapper().readTree(result.out()).get(0).asText())
        .isEqualTo("http://node-1:9292");
  }

  @Test
  void nodesOfAnImageNoNodeHoldsPrintsNothingAndSucceeds() {
    server.on("GET", "/v2/cache/nodes/img-1", json("[]"));

    CliRun.Result result = run("nodes", "img-1");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(line("imagecache nodes: no node has img-1 cached"));
  }

  @Test
  void nodesOnADriverWithoutNodesExitsWith1SayingWhichDriverHasThem() {
    server.on("GET", "/v2/cache/nodes/img-1", text(409, "Centralized caching is not enabled"));

    CliRun.Result result = run("nodes", "img-1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(line(
        "imagecache nodes: this cache's driver does not track nodes (use --driver postgres)"));
  }

  // ---- pin and unpin

  @Test
  void pinPutsThePinAndUnpinDeletesIt() {
    server.on("PUT", "/v2/cache/img-1/pin", empty(204))
        .on("DELETE", "/v2/cache/img-1/pin", empty(204));

    CliRun.Result pinned = run("pin", "img-1");
    CliRun.Result unpinned = run("unpin", "img-1");

    assertThat(pinned.exitCode()).isZero();
    assertThat(pinned.out()).isEqualTo(line("Pinned img-1: pruning will not remove it."));
    assertThat(unpinned.exitCode()).isZero();
    assertThat(unpinned.out()).isEqualTo(line("Unpinned img-1."));
    assertThat(server.requestLines())
        .containsExactly("PUT /v2/cache/img-1/pin", "DELETE /v2/cache/img-1/pin");
  }

  @Test
  void pinOfAnImageThatIsNotCachedExitsWith1() {
    server.on("PUT", "/v2/cache/img-1/pin", text(404, "img-1 is not cached"));

    CliRun.Result result = run("pin", "img-1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(line("imagecache pin: server answered 404: img-1 is not cached"));
  }

  @Test
  void commandsAnsweredWithoutABodyPrintNothingWithJson() {
    server.on("PUT", "/v2/cache/img-1/pin", empty(204));

    CliRun.Result result = run("pin", "img-1", "--json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEmpty();
  }

  private CliRun.Result run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server=" + server.url();
    all[args.length + 1] = "--token=s3cret";
    return CliRun.run(Map.of(), all);
  }

  private static String line(String text) {
    return String.format("%s%n", text);
  }
}
