package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client limits on the TLS listener: connections that stall in the handshake (nothing sent,
 * or a ClientHello cut short) do not keep TLS hits from others, and the header timeout closes
 * them, as it closes slow request heads on the plain listener.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsClientLimitsTest {
  private static final int STALLED = 200;
  private static final byte[] IMAGE = TestImages.bytes(31, 256 * 1024 + 7);
  /** A TLS handshake record header announcing a ClientHello, and its first bytes only. */
  private static final byte[] PARTIAL_CLIENT_HELLO =
      {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};

  @TempDir
  Path tmp;
  private TestCa ca;
  private Path origin;
  private ServerHarness server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void makeCaAndOrigin() throws Exception {
    ca = TestCa.create(tmp.resolve("ca"), "limits");
    origin = Files.createDirectories(tmp.resolve("origin"));
    Files.write(origin.resolve("tls-hit"), IMAGE);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(ClientLimits limits) throws Exception {
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).build(),
        Optional.of(origin.toString()), ca.issue("localhost"), limits);
  }

  /** Half the stalled connections send nothing, half a ClientHello cut short. */
  private List<Socket> stallHandshakes() throws IOException {
    for (int i = 0; i < STALLED; i++) {
      Socket socket = new Socket();
      sockets.add(socket);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.tlsPort()));
      socket.setSoTimeout((int) WAIT.toMillis());
      if (i % 2 == 1) {
        socket.getOutputStream().write(PARTIAL_CLIENT_HELLO);
        socket.getOutputStream().flush();
      }
    }
    return List.copyOf(sockets);
  }

  private HttpResponse<byte[]> tlsHit() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(10)).build();
    return client.send(HttpRequest.newBuilder(
            URI.create("https://localhost:" + server.tlsPort() + "/v2/images/tls-hit/file"))
        .timeout(WAIT).build(), BodyHandlers.ofByteArray());
  }

  @Test
  void stalledHandshakesDoNotKeepTlsHitsFromOthers() throws Exception {
    start(ClientLimits.DEFAULT);
    assertThat(tlsHit().statusCode()).isEqualTo(200);
    List<Socket> stalled = stallHandshakes();
    await().atMost(WAIT).until(() -> server.openConnections() >= STALLED);

    for (int i = 0; i < 10; i++) {
      HttpResponse<byte[]> hit = tlsHit();
      assertThat(hit.statusCode()).isEqualTo(200);
      assertThat(hit.body()).isEqualTo(IMAGE);
    }
    assertThat(stalled).noneMatch(Socket::isClosed);
    assertThat(server.openConnections()).isGreaterThanOrEqualTo(STALLED);
  }

  @Test
  void theHeaderTimeoutClosesConnectionsStalledInTheHandshake() throws Exception {
    start(ClientLimits.DEFAULT.withHeaderTimeout(Duration.ofSeconds(1)));
    List<Socket> stalled = stallHandshakes();

    for (Socket socket : stalled) {
      assertThat(socket.getInputStream().read()).as("read after the header timeout")
          .isEqualTo(-1);
    }
    await().atMost(WAIT).until(() -> server.openConnections() == 0);
    assertThat(metric("imagecache_connections_closed_total", "reason=\"header-timeout\""))
        .isEqualTo(STALLED);
    HttpResponse<byte[]> hit = tlsHit();
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.body()).isEqualTo(IMAGE);
  }

  private double metric(String name, String label) throws Exception {
    String text = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
    Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*"
        + Pattern.quote(label) + "[^}]*\\} (\\S+)$", Pattern.MULTILINE).matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no sample " + name + " {" + label + "}");
    }
    return Double.parseDouble(matcher.group(1));
  }
}
