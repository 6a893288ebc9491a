package io.imagecache.cli;

import static io.imagecache.cli.ScriptedApiServer.Answer.json;
import static io.imagecache.cli.ScriptedApiServer.Answer.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ListCommandTest {

  private static final String LISTING = """
      {"cached_images": [
         {"image_id": "ubuntu-24.04", "hits": 3, "last_accessed": 1764000000.123,
          "last_modified": 1763913600.9, "size": 1073741824, "checksum": null, "pinned": true},
         {"image_id": "tiny", "hits": 0, "last_accessed": 0,
          "last_modified": 1764000000, "size": 512, "checksum": "abc", "pinned": false}],
       "queued_images": ["debian-13", "fedora-42"]}""";

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
  void listPrintsCachedThenQueuedImagesWithSizesAndLocalTimes() {
    server.on("GET", "/v2/cache", json(LISTING));

    CliRun.Result result = list();

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.outLines()).containsExactly(
        "ID            STATE   PINNED     SIZE  HITS  LAST ACCESSED        LAST MODIFIED",
        "ubuntu-24.04  cached  yes     1.0 GiB     3  2025-11-24T17:00:00  2025-11-23T17:00:00",
        "tiny          cached  no        512 B     0  -                    2025-11-24T17:00:00",
        "debian-13     queued  -             -     -  -                    -",
        "fedora-42     queued  -             -     -  -                    -");
  }

  @Test
  void listSendsOneGetWithTheAdminToken() {
    server.on("GET", "/v2/cache", json(LISTING));

    list();

    assertThat(server.requests()).singleElement().satisfies(request -> {
      assertThat(request.line()).isEqualTo("GET /v2/cache");
      assertThat(request.header("X-Auth-Token")).contains("s3cret");
    });
  }

  @Test
  void listJsonPrintsTheServersListingAsValidJson() throws IOException {
    server.on("GET", "/v2/cache", json(LISTING));

    CliRun.Result result = list("--json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    ObjectMapper mapper = new ObjectMapper();
    assertThat(mapper.readTree(result.out())).isEqualTo(mapper.readTree(LISTING));
  }

  @Test
  void anEmptyCacheIsSaidInWords() {
    server.on("GET", "/v2/cache", json("{\"cached_images\": [], \"queued_images\": []}"));

    CliRun.Result result = list();

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo(String.format("No images are cached or queued.%n"));
  }

  @Test
  void aForbiddenAnswerExitsWith1WithTheMessageAndWhereTheTokenCameFrom() {
    server.on("GET", "/v2/cache", text(403, "admin token does not match\n"));

    CliRun.Result result = list();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(String.format("imagecache list: server answered 403:"
        + " admin token does not match (the admin token came from --token)%n"));
  }

  @Test
  void aServerErrorExitsWith1WithTheFirstLineOfItsMessage() {
    server.on("GET", "/v2/cache", text(500, "metadata store unavailable\nat line 2"));

    CliRun.Result result = list();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(String.format(
        "imagecache list: server answered 500: metadata store unavailable%n"));
  }

  @Test
  void anAnswerThatIsNotJsonExitsWith1() {
    server.on("GET", "/v2/cache", new ScriptedApiServer.Answer(200, "text/html", "<html>"));

    CliRun.Result result = list("--json");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("imagecache list: the answer to GET /v2/cache from "
        + server.url() + " is not JSON: ");
  }

  @Test
  void aListingOfAnotherShapeExitsWith1NamingTheField() {
    server.on("GET", "/v2/cache", json("{\"cached_images\": {}, \"queued_images\": []}"));

    CliRun.Result result = list();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo(String.format(
        "imagecache list: unexpected answer to GET /v2/cache: \"cached_images\" is not a list%n"));
  }

  @Test
  void localTimesAreToTheSecondAndZeroIsADash() {
    assertThat(ListCommand.localTime(1764000000.999, CliRun.ZONE))
        .isEqualTo("2025-11-24T17:00:00");
    assertThat(ListCommand.localTime(0, CliRun.ZONE)).isEqualTo("-");
  }

  private CliRun.Result list(String... extra) {
    String[] args = new String[3 + extra.length];
    args[0] = "list";
    args[1] = "--server=" + server.url();
    args[2] = "--token=s3cret";
    System.arraycopy(extra, 0, args, 3, extra.length);
    return CliRun.run(Map.of(), args);
  }
}
