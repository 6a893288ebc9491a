package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configured secrets (admin token, origin token, each read from its file) appear in no line of
 * a real {@code serve} at log level debug with the access log on, through hits, misses, admin
 * calls with wrong and right tokens, an origin that refuses the cache's token, a SIGHUP that sees
 * a changed token file, nor in any metric.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecretsNeverLoggedTest {
  private static final String ADMIN_SECRET = "adm1n-S3CRET-4d2f";
  private static final String ORIGIN_SECRET = "0rigin-S3CRET-9c1e";
  private static final String ROTATED_ADMIN_SECRET = "adm1n-R0TATED-77aa";

  @TempDir
  Path temp;

  @Test
  void noSecretInAnyLogLineOrMetric() throws Exception {
    Path adminFile = secretFile("admin-token", ADMIN_SECRET);
    Path originFile = secretFile("origin-token", ORIGIN_SECRET);
    Path access = temp.resolve("access.log");
    HttpClient client = HttpClient.newHttpClient();
    try (TestOrigin origin = TestOrigin.start().requireToken(ORIGIN_SECRET);
        ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"),
            Map.of("IMAGECACHE_ORIGIN_TOKEN_FILE", originFile.toString()),
            "--cache-dir", temp.resolve("cache").toString(), "--no-fsync",
            "--origin", origin.httpTemplate(), "--admin-token-file", adminFile.toString(),
            "--log-level", "debug", "--access-log", access.toString())) {
      origin.put("img", new byte[256 * 1024]);
      origin.put("other", new byte[1024]);
      int port = serve.awaitPort();
      Calls calls = new Calls(client, port);

      assertThat(calls.send("GET", "/v2/images/img/file", null)).isEqualTo(200); // miss
      assertThat(calls.send("GET", "/v2/images/img/file", null)).isEqualTo(200); // hit
      assertThat(calls.send("GET", "/v2/images/img/file", ADMIN_SECRET)).isEqualTo(200);
      assertThat(calls.send("GET", "/v2/cache", "wrong-token")).isEqualTo(403);
      assertThat(calls.send("GET", "/v2/cache", ADMIN_SECRET)).isEqualTo(200);
      assertThat(calls.send("DELETE", "/v2/cache/img", ADMIN_SECRET + "x")).isEqualTo(403);
      origin.requireToken("a-token-the-cache-does-not-have");
      assertThat(calls.send("GET", "/v2/images/other/file", null)).isGreaterThanOrEqualTo(400);
      assertThat(calls.send("PUT", "/v2/cache/other", ADMIN_SECRET)).isEqualTo(502);
      Files.writeString(adminFile, ROTATED_ADMIN_SECRET + "\n");
      serve.hangUp();
      serve.awaitLine(Pattern.compile("SIGHUP: changed, but only a restart applies: admin-token"));
      String metrics = calls.body("/metrics");
      await().atMost(ServeProcess.WAIT).until(() -> Files.exists(access)
          && Files.readAllLines(access).size() >= 8);

      String output = serve.output();
      assertThat(output).contains("DEBUG").containsPattern("(?i)401|refused|denied");
      assertThat(metrics).contains("imagecache_requests_total");
      for (String text : new String[] {output, Files.readString(access), metrics}) {
        assertThat(text).doesNotContain(ADMIN_SECRET, ORIGIN_SECRET, ROTATED_ADMIN_SECRET);
      }
    }
  }

  private Path secretFile(String name, String secret) throws Exception {
    Path file = temp.resolve(name);
    Files.writeString(file, secret + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Requests to the child server. */
  private record Calls(HttpClient client, int port) {
    int send(String method, String path, String token) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
          .method(method, HttpRequest.BodyPublishers.noBody());
      if (token != null) {
        request.header("X-Auth-Token", token);
      }
      return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String body(String path) throws Exception {
      return client.send(HttpRequest.newBuilder(uri(path)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    private URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }
  }
}
