package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.testing.FreePort;
import io.imagecache.testing.TestOrigin;
import io.imagecache.testing.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node that holds an image's fleet claim is killed with SIGKILL while it fetches the image
 * from the origin and another node streams from it: the other node takes the claim over and
 * fetches only the rest from the origin, its client seeing no error. Both nodes are
 * {@code imagecache serve} processes on one embedded PostgreSQL; the origin is slow and counts
 * the bytes it sends.
 */
class FleetClaimantKilledTest {
  private static final String TOKEN = "fleet-test-token";
  private static final String ADMIN_TOKEN = "test-admin-token";
  private static final int SIZE = 16 << 20;

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path temp;
  private TestOrigin origin;

  @BeforeEach
  void startOrigin() throws IOException {
    origin = TestOrigin.start();
  }

  @AfterEach
  void stopOrigin() {
    origin.close();
  }

  @Test
  void anotherNodeCompletesFromTheOffsetItReachedWhenTheClaimantIsKilled() throws Exception {
    byte[] image = new byte[SIZE];
    new Random(20).nextBytes(image);
    origin.put("img", image).rateLimit(1L << 20).ranges(Optional.empty());
    String dbUrl = POSTGRES.freshSchema("claimant");
    int portA = FreePort.onLoopback();
    int portB = FreePort.onLoopback();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (ServeProcess a = node(portA, "a", dbUrl); ServeProcess b = node(portB, "b", dbUrl)) {
      a.awaitPort();
      b.awaitPort();
      CompletableFuture<HttpResponse<byte[]>> onA = client.sendAsync(get(portA),
          BodyHandlers.ofByteArray());
      await().atMost(ServeProcess.WAIT).until(() -> origin.image("img").bytesSent() > (1 << 20));
      CompletableFuture<HttpResponse<byte[]>> onB = client.sendAsync(get(portB),
          BodyHandlers.ofByteArray());
      b.awaitLine(Pattern.compile("filling from peer http://127\\.0\\.0\\.1:" + portA));
      // b has caught up with a: it follows a's fill as the origin sends it.
      await().atMost(ServeProcess.WAIT).until(() -> origin.image("img").bytesSent() > (2 << 20)
          && bytesWritten(client, portB) > origin.image("img").bytesSent() - (512 << 10));

      a.close(); // SIGKILL: its database session, and with it the claim, dies with it

      HttpResponse<byte[]> fromB = onB.get(ServeProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(fromB.statusCode()).isEqualTo(200);
      assertThat(fromB.body()).isEqualTo(image);
      assertThat(onA).isCompletedExceptionally();
      b.awaitLine(Pattern.compile("resumed at byte \\d+ from the origin"));
      assertThat(origin.image("img").bytesSent()).as(b.output())
          .isLessThanOrEqualTo((long) (SIZE * 1.05));
    }
  }

  /** The bytes node {@code port}'s fill of the image has written, from its status call. */
  private static long bytesWritten(HttpClient client, int port) throws Exception {
    HttpResponse<String> status = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v2/cache/status"))
        .header("X-Auth-Token", ADMIN_TOKEN).GET().build(), BodyHandlers.ofString());
    long bytes = 0;
    for (JsonNode fill : new ObjectMapper().readTree(status.body()).path("fills")) {
      bytes = Math.max(bytes, fill.path("bytes_written").asLong());
    }
    return bytes;
  }

  private ServeProcess node(int port, String name, String dbUrl) throws IOException {
    return ServeProcess.startOn("127.0.0.1:" + port, temp.resolve(name + ".log"), Map.of(),
        "--cache-dir", temp.resolve(name).toString(), "--no-fsync",
        "--driver", "postgres", "--db-url", dbUrl, "--node-url", "http://127.0.0.1:" + port,
        "--fleet-token", TOKEN, "--origin", origin.httpTemplate(), "--admin-token", ADMIN_TOKEN);
  }

  private static HttpRequest get(int port) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/images/img/file"))
        .timeout(Duration.ofSeconds(60)).GET().build();
  }
}
