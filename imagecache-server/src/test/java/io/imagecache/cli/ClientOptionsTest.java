package io.imagecache.cli;

import static io.imagecache.cli.ScriptedApiServer.Answer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the API commands find their server and token, and how they fail without them. */
class ClientOptionsTest {

  private static final String EMPTY = "{\"cached_images\": [], \"queued_images\": []}";

  @TempDir
  Path temp;

  private ScriptedApiServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = ScriptedApiServer.start().on("GET", "/v2/cache", json(EMPTY));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void theTokenDefaultsToTheFileTheServerWroteInTheCacheDirectory() throws IOException {
    String token = AdminToken.readOrCreate(temp);

    CliRun.Result result = CliRun.run(Map.of(),
        "list", "--server", server.url(), "--cache-dir", temp.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(sentToken()).isEqualTo(token);
  }

  @Test
  void theCacheDirectoryMayComeFromTheEnvironment() throws IOException {
    String token = AdminToken.readOrCreate(temp);

    CliRun.Result result = CliRun.run(
        Map.of("IMAGECACHE_CACHE_DIR", temp.toString(), "IMAGECACHE_SERVER", server.url()),
        "list");

    assertThat(result.exitCode()).isZero();
    assertThat(sentToken()).isEqualTo(token);
  }

  @Test
  void theTokenVariableWinsOverTheFileAndTheFlagOverBoth() throws IOException {
    AdminToken.readOrCreate(temp);
    Map<String, String> env = Map.of("IMAGECACHE_TOKEN", "from-env",
        "IMAGECACHE_ADMIN_TOKEN", "from-serve-env", "IMAGECACHE_CACHE_DIR", temp.toString());

    CliRun.run(env, "list", "--server", server.url());
    CliRun.run(env, "list", "--server", server.url(), "--token", "from-flag");

    assertThat(server.requests())
        .extracting(request -> request.header("X-Auth-Token").orElseThrow())
        .containsExactly("from-env", "from-flag");
  }

  @Test
  void theTokenServeReadsFromTheEnvironmentWorksToo() {
    CliRun.Result result = CliRun.run(Map.of("IMAGECACHE_ADMIN_TOKEN", "shared"),
        "list", "--server", server.url(), "--cache-dir", temp.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(sentToken()).isEqualTo("shared");
  }

  @Test
  void noTokenAnywhereExitsWith2SayingWhereItLookedAndSendsNothing() {
    CliRun.Result result = CliRun.run(Map.of(),
        "list", "--server", server.url(), "--cache-dir", temp.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo(String.format("imagecache list: no admin token: no --token,"
        + " no IMAGECACHE_TOKEN or IMAGECACHE_ADMIN_TOKEN in the environment, and no file %s"
        + " (give --cache-dir the server's cache directory, or --token)%n",
        temp.resolve("admin-token")));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void anUnusableTokenFileExitsWith2() throws IOException {
    Files.writeString(temp.resolve("admin-token"), "\n");

    CliRun.Result result = CliRun.run(Map.of(),
        "list", "--server", server.url(), "--cache-dir", temp.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("imagecache list: cannot read the admin token file "
        + temp.resolve("admin-token") + ": ");
  }

  @Test
  void aTokenThatCannotBeSentExitsWith2() {
    CliRun.Result result = CliRun.run(Map.of(),
        "list", "--server", server.url(), "--token", "two words");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo(String.format("imagecache list: invalid admin token from"
        + " --token: expected visible ASCII without spaces (it is sent in a header)%n"));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aServerUrlWithAPathPrefixesTheApiPaths() {
    server.on("GET", "/imagecache/v2/cache", json(EMPTY));

    CliRun.Result result = CliRun.run(Map.of("IMAGECACHE_TOKEN", "t"),
        "list", "--server", server.url() + "/imagecache/");

    assertThat(result.exitCode()).isZero();
    assertThat(server.requestLines()).containsExactly("GET /imagecache/v2/cache");
  }

  @Test
  void aServerThatIsNotAnHttpUrlExitsWith2NamingTheSource() {
    CliRun.Result result = CliRun.run(
        Map.of("IMAGECACHE_TOKEN", "t", "IMAGECACHE_SERVER", "127.0.0.1:9292"), "list");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo(String.format("imagecache list: invalid --server"
        + " \"127.0.0.1:9292\" (from IMAGECACHE_SERVER): expected http://HOST[:PORT] or"
        + " https://HOST[:PORT], optionally with a path%n"));
  }

  @Test
  void aRefusedConnectionExitsWith1InOneLineNamingTheServer() throws IOException {
    String url;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      url = "http://127.0.0.1:" + free.getLocalPort();
    }

    CliRun.Result result = CliRun.run(Map.of("IMAGECACHE_TOKEN", "t"), "list", "--server", url);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("imagecache list: cannot connect to " + url + ": ")
        .hasLineCount(1);
  }

  @Test
  void everyApiCommandTakesTheSharedOptions() {
    for (String command : new String[] {
        "list", "queue", "delete", "clear", "clean", "prune", "nodes", "pin", "unpin"}) {
      CliRun.Result result = CliRun.run(Map.of(), command, "--help");

      assertThat(result.exitCode()).as(command).isZero();
      assertThat(result.out()).as(command)
          .contains("--server=URL", "--token=TOKEN", "--cache-dir=DIR", "--json");
    }
  }

  private String sentToken() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0).header("X-Auth-Token").orElseThrow();
  }
}
