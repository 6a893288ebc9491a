package io.imagecache.cli;

import static io.imagecache.cli.ScriptedApiServer.Answer.empty;
import static io.imagecache.cli.ScriptedApiServer.Answer.json;
import static io.imagecache.cli.ScriptedApiServer.Answer.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** queue, with and without --wait, against a scripted API. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QueueCommandTest {

  private static final long GIB = 1L << 30;
  /** Ten seconds before {@link CliRun#FIXED}'s clock (2025-11-25T00:00:00Z): fills' rates. */
  private static final String STARTED_AT = "1764028790.0";

  private ScriptedApiServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = ScriptedApiServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void queuePutsEveryImageOnceAndConfirms() {
    server.on("PUT", "/v2/cache/a", empty(202)).on("PUT", "/v2/cache/b", empty(202));

    CliRun.Result result = run("queue", "a", "b", "a");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("Queued a.", "Queued b.");
    assertThat(server.requestLines()).containsExactly("PUT /v2/cache/a", "PUT /v2/cache/b");
    assertThat(server.requests()).allSatisfy(
        request -> assertThat(request.header("X-Auth-Token")).contains("s3cret"));
  }

  @Test
  void anImageTheServerRefusesIsReportedTheOthersAreQueuedAndTheExitIs1() {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("PUT", "/v2/cache/b", text(404, "Image b not found."))
        .on("PUT", "/v2/cache/c", empty(202));

    CliRun.Result result = run("queue", "a", "b", "c");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.outLines()).containsExactly("Queued a.", "Queued c.");
    assertThat(result.err()).isEqualTo(String.format(
        "imagecache queue: b: server answered 404: Image b not found.%n"
            + "imagecache queue: 1 image of 3 could not be queued%n"));
  }

  @Test
  void oneRefusedImageIsOneLine() {
    server.on("PUT", "/v2/cache/a", text(400,
        "Only images with status active can be targeted for queueing"));

    CliRun.Result result = run("queue", "a");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(String.format("imagecache queue: server answered 400:"
        + " Only images with status active can be targeted for queueing%n"));
  }

  @Test
  void aBadIdAmongGoodOnesExitsWith2BeforeAnythingIsQueued() {
    CliRun.Result result = run("queue", "a", "admin-token");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo(String.format("imagecache queue: invalid image id"
        + " \"admin-token\": the name is reserved by the cache directory%n"));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void timeoutWithoutWaitOrOfAnotherFormIsAUsageError() {
    assertThat(run("queue", "a", "--timeout", "5s").err())
        .isEqualTo(String.format("imagecache queue: --timeout only applies with --wait%n"));
    CliRun.Result bad = run("queue", "a", "--wait", "--timeout", "soon");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .startsWith("imagecache queue: invalid --timeout: invalid duration \"soon\"");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void waitFollowsTheImageUntilItIsCachedWithALinePerStep() {
    server.on("PUT", "/v2/cache/ubuntu", empty(202))
        .on("GET", "/v2/cache",
            json(listing("", "\"ubuntu\"")), json(listing("", "\"ubuntu\"")),
            json(listing("", "\"ubuntu\"")), json(listing(cached("ubuntu", GIB), "")))
        .on("GET", "/v2/cache/status",
            json(status("", prefetch("ubuntu", "queued", 0, null))),
            json(status(fill("ubuntu", "running", GIB / 2, GIB),
                prefetch("ubuntu", "fetching", 1, null))),
            json(status(fill("ubuntu", "committed", GIB, GIB),
                prefetch("ubuntu", "fetching", 1, null))));

    CliRun.Result result = run("queue", "ubuntu", "--wait");

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly(
        "ubuntu  queued",
        "ubuntu  [############............]  50%  512.0 MiB / 1.0 GiB  51.2 MiB/s  10s left"
            + "  fetching",
        "ubuntu  [########################] 100%  1.0 GiB / 1.0 GiB  102.4 MiB/s  fetching",
        "ubuntu  [########################] 100%  1.0 GiB  cached");
    assertThat(server.requestLines()).containsExactly("PUT /v2/cache/ubuntu",
        "GET /v2/cache", "GET /v2/cache/status", "GET /v2/cache", "GET /v2/cache/status",
        "GET /v2/cache", "GET /v2/cache/status", "GET /v2/cache");
  }

  @Test
  void waitShowsOnlyTheBytesWhenTheSizeIsUnknownAndTheErrorWhileRetrying() {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("GET", "/v2/cache", json(listing("", "\"a\"")), json(listing("", "\"a\"")),
            json(listing(cached("a", 3 << 20), "")))
        .on("GET", "/v2/cache/status",
            json(status("", prefetch("a", "retrying", 1, "origin timed out"))),
            json(status(fill("a", "running", 3 << 20, -1), prefetch("a", "fetching", 2, null))));

    CliRun.Result result = run("queue", "a", "--wait");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly(
        "a  retrying after attempt 1 failed: origin timed out",
        "a  3.0 MiB  307.2 KiB/s  fetching",
        "a  [########################] 100%  3.0 MiB  cached");
  }

  @Test
  void waitExitsWith1AsSoonAsAPrefetchHasFailedWithItsError() {
    server.on("PUT", "/v2/cache/a", empty(202)).on("PUT", "/v2/cache/b", empty(202))
        .on("GET", "/v2/cache", json(listing("", "\"a\", \"b\"")))
        .on("GET", "/v2/cache/status", json(status(fill("a", "running", 10, 100),
            prefetch("a", "fetching", 1, null) + ","
                + prefetch("b", "failed", 3, "origin answered 404 for b"))));

    CliRun.Result result = run("queue", "a", "b", "--wait");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.outLines()).containsExactly(
        "a  [##......................]  10%  10 B / 100 B  1 B/s  1m 30s left  fetching",
        "b  failed: origin answered 404 for b");
    assertThat(result.err()).isEqualTo(String.format(
        "imagecache queue: b failed after 3 attempts: origin answered 404 for b%n"));
  }

  @Test
  void waitExitsWith1WhenTheTimeoutPasses() {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("GET", "/v2/cache", json(listing("", "\"a\"")))
        .on("GET", "/v2/cache/status", json(status("", prefetch("a", "queued", 0, null))));

    CliRun.Result result = CliRun.run(Map.of(), CliRun.TICKING,
        "queue", "a", "--wait", "--timeout", "200ms", "--server", server.url(), "--token", "t");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.outLines()).containsExactly("a  queued");
    assertThat(result.err())
        .isEqualTo(String.format("imagecache queue: timed out after 200ms waiting for a%n"));
  }

  @Test
  void waitExitsWith1WhenAnImageVanishesFromTheServersView() {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("GET", "/v2/cache", json(listing("", "")))
        .on("GET", "/v2/cache/status", json(status("", "")));

    CliRun.Result result = run("queue", "a", "--wait");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(String.format("imagecache queue: a is no longer queued,"
        + " being fetched or cached on %s (deleted from the queue, or evicted?)%n", server.url()));
    assertThat(server.requestLines()).filteredOn("GET /v2/cache"::equals)
        .hasSize(QueueWaiter.ROUNDS_BEFORE_GONE);
  }

  @Test
  void waitRedrawsTheLinesInPlaceOnATerminal() {
    server.on("PUT", "/v2/cache/a", empty(202)).on("PUT", "/v2/cache/bb", empty(202))
        .on("GET", "/v2/cache", json(listing("", "\"a\", \"bb\"")),
            json(listing(cached("a", 2048) + "," + cached("bb", 1024), "")))
        .on("GET", "/v2/cache/status", json(status("", "")));
    ClientRuntime terminal = new ClientRuntime(Clock.system(CliRun.ZONE), Duration.ofMillis(10),
        true);

    CliRun.Result result = CliRun.run(Map.of(), terminal,
        "queue", "a", "bb", "--wait", "--server", server.url(), "--token", "t");

    assertThat(result.exitCode()).isZero();
    String bar = "[########################] 100%";
    assertThat(result.out()).isEqualTo(
        "\ra   queued\u001b[K\n"
            + "\rbb  queued\u001b[K\n"
            + "\u001b[2A"
            + "\ra   " + bar + "  2.0 KiB  cached\u001b[K\n"
            + "\rbb  " + bar + "  1.0 KiB  cached\u001b[K\n");
  }

  @Test
  void waitWithJsonPrintsOnlyTheCachedEntriesOfTheQueuedImages() throws IOException {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("GET", "/v2/cache", json(listing(cached("a", 5) + "," + cached("other", 7), "")));

    CliRun.Result result = run("queue", "a", "--wait", "--json");

    assertThat(result.exitCode()).isZero();
    JsonNode printed = new ObjectMapper().readTree(result.out());
    assertThat(printed.path("cached_images")).hasSize(1);
    assertThat(printed.path("cached_images").get(0).path("image_id").asText()).isEqualTo("a");
    assertThat(printed.path("cached_images").get(0).path("last_accessed").decimalValue())
        .isEqualByComparingTo("1764000000.123");
  }

  @Test
  void aServerThatGoesAwayWhileWaitingExitsWith1() {
    server.on("PUT", "/v2/cache/a", empty(202))
        .on("GET", "/v2/cache", json(listing("", "\"a\"")), text(503, "shutting down"));
    server.on("GET", "/v2/cache/status", json(status("", "")));

    CliRun.Result result = run("queue", "a", "--wait");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(String.format("imagecache queue: server answered 503: shutting down%n"));
  }

  private CliRun.Result run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server=" + server.url();
    all[args.length + 1] = "--token=s3cret";
    return CliRun.run(Map.of(), all);
  }

  private static String listing(String cached, String queued) {
    return "{\"cached_images\": [" + cached + "], \"queued_images\": [" + queued + "]}";
  }

  private static String cached(String id, long size) {
    return "{\"image_id\": \"" + id + "\", \"hits\": 0, \"last_accessed\": 1764000000.123,"
        + " \"last_modified\": 1764000000.123, \"size\": " + size
        + ", \"checksum\": null, \"pinned\": false}";
  }

  private static String status(String fills, String prefetch) {
    return "{\"fills\": [" + fills + "], \"prefetch\": [" + prefetch + "]}";
  }

  private static String fill(String id, String state, long written, long expected) {
    return "{\"image_id\": \"" + id + "\", \"state\": \"" + state + "\", \"bytes_written\": "
        + written + ", \"expected_size\": " + (expected < 0 ? "null" : expected)
        + ", \"started_at\": " + STARTED_AT + "}";
  }

  private static String prefetch(String id, String state, int attempts, String lastError) {
    return "{\"image_id\": \"" + id + "\", \"state\": \"" + state + "\", \"attempts\": "
        + attempts + ", \"last_error\": " + (lastError == null ? "null" : "\"" + lastError + "\"")
        + ", \"next_attempt_at\": null}";
  }
}
