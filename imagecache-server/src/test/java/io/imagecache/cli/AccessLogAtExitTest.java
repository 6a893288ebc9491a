package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagecache serve} as a real process: the access-log lines of the requests answered just
 * before SIGTERM are in the access-log file once the process has exited 0 (the access log's queue
 * is written out as logging stops, last).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AccessLogAtExitTest {
  /** Requests answered right before SIGTERM. */
  private static final int REQUESTS = 300;

  @TempDir
  Path temp;

  @Test
  void theLinesOfTheLastRequestsBeforeSigtermAreInTheFileAfterExit() throws Exception {
    Path origin = Files.createDirectories(temp.resolve("origin"));
    Files.write(origin.resolve("img"), new byte[4096]);
    Path access = temp.resolve("logs/access.log");
    try (ServeProcess serve = ServeProcess.start(temp.resolve("serve.txt"), Map.of(),
        "--cache-dir", temp.resolve("cache").toString(), "--origin", origin.toString(),
        "--no-fsync", "--access-log", access.toString())) {
      int port = serve.awaitPort();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v2/images/img/file")).build();
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode())
            .isEqualTo(200);
      }

      serve.terminate();

      assertThat(serve.awaitExit(ServeProcess.WAIT)).as(serve.output()).isZero();
    }
    List<String> lines = Files.readAllLines(access);
    assertThat(lines).hasSize(REQUESTS)
        .allSatisfy(line -> assertThat(line).contains("\"GET /v2/images/img/file HTTP/1.1\" 200 4096"));
  }
}
