package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.imagecache.ImageId;
import io.imagecache.cli.LogSettings;
import io.imagecache.cli.LogSetup;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * TLS hits of a file whose size is no multiple of the chunk: every byte arrives, two hits on one
 * keep-alive connection stay framed, and the access log and the served-bytes metric count the
 * body exactly, as on the plain listener.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsHitCountTest {
  private static final int SIZE = 2 * SharedChunkedFile.CHUNK_SIZE + 12_345;
  private static final byte[] IMAGE = TestImages.bytes(21, SIZE);

  @TempDir
  Path tmp;
  private ServerHarness server;
  private Path log;

  @AfterEach
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      LogSetup.accessLog(context(), LogSettings.DEFAULT);
    }
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  @Test
  void tlsHitsSendEveryByteAndCountExactlyTheBody() throws Exception {
    TestCa ca = TestCa.create(tmp.resolve("ca"), "hit-count");
    Path origin = Files.createDirectories(tmp.resolve("origin"));
    Files.write(origin.resolve("odd-size"), IMAGE);
    log = tmp.resolve("logs/access.log");
    LogSetup.accessLog(context(), new LogSettings(LogSettings.Level.INFO, false,
        new LogSettings.Access(false, Optional.of(log))));
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).build(),
        Optional.of(origin.toString()), Optional.of(ca.issue("server")), Optional.empty(),
        OriginTls.SYSTEM);
    assertThat(server.get(file("odd-size")).body()).isEqualTo(IMAGE);
    await().atMost(WAIT).until(() -> server.cache().isCached(ImageId.of("odd-size")));

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest hit = HttpRequest.newBuilder(
        URI.create("https://localhost:" + server.tlsPort() + file("odd-size"))).timeout(WAIT).build();
    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> response = client.send(hit, BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).as("hit %d over TLS", i + 1).isEqualTo(IMAGE);
    }

    List<String> lines = new ArrayList<>();
    await().atMost(WAIT).until(() -> {
      lines.clear();
      if (Files.exists(log)) {
        lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
      }
      return lines.size() >= 3;
    });
    assertThat(lines).hasSize(3);
    assertThat(lines.subList(1, 3)).allSatisfy(line -> assertThat(line)
        .contains("\"GET " + file("odd-size") + " HTTP/1.1\" 200 " + SIZE + " ")
        .endsWith(" hit"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        value(metrics(), "imagecache_served_bytes_total", "source=\"cache\""))
        .isEqualTo(2.0 * SIZE));
  }

  private String metrics() throws Exception {
    return new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
  }

  private static double value(String text, String name, String label) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label)
        + "[^}]*\\} (\\S+)$", Pattern.MULTILINE).matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no sample " + name + " {" + label + "} in:\n" + text);
    }
    return Double.parseDouble(matcher.group(1));
  }
}
