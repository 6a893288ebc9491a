package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code readyz-origin on}: {@code /readyz} also names an {@code origin} check, which passes while
 * a real origin answers (Glance: {@code GET /versions}; HTTP: {@code GET /}; a directory: listed)
 * and fails once it is stopped or gone, its answer kept a few seconds so that probes do not
 * hammer the origin. Off, the origin is not asked.
 */
class OriginReadinessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ServerHarness server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void aGlanceOriginIsAskedForItsVersionsOnceForManyProbesAndItsStopIsNotReady() throws Exception {
    origin = TestOrigin.start();
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.of(origin.glanceSpec()), true);

    HttpResponse<byte[]> ready = server.get("/readyz");
    for (int i = 0; i < 10; i++) {
      assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
    }

    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(ready.body());
    assertThat(body.at("/checks/origin/ok").asBoolean()).isTrue();
    assertThat(body.at("/checks/origin/detail").asText())
        .startsWith("origin http://127.0.0.1:" + origin.port() + " answered HTTP ")
        .contains("to GET /versions");
    assertThat(origin.requestCount("/versions")).isEqualTo(1);

    origin.close();
    origin = null;

    await().atMost(WAIT).until(() -> server.get("/readyz").statusCode() == 503);
    JsonNode down = JSON.readTree(server.get("/readyz").body());
    assertThat(down.get("status").asText()).isEqualTo("not ready");
    assertThat(down.at("/checks/origin/ok").asBoolean()).isFalse();
    assertThat(down.at("/checks/origin/detail").asText()).contains("could not connect to origin");
    assertThat(down.at("/checks/store/ok").asBoolean()).isTrue();
    assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(new String(server.get("/metrics").body(), StandardCharsets.UTF_8))
        .containsPattern("(?m)^imagecache_ready\\{check=\"origin\"} 0\\.0$");
  }

  @Test
  void anHttpOriginIsAskedForItsRoot() throws Exception {
    origin = TestOrigin.start();
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.of(origin.httpTemplate()), true);

    HttpResponse<byte[]> ready = server.get("/readyz");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).at("/checks/origin/detail").asText())
        .contains("to GET /");
    assertThat(origin.requestCount("/")).isEqualTo(1);
  }

  @Test
  void aDirectoryOriginThatIsRemovedIsNotReady() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images")).toRealPath();
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.of(images.toString()), true);
    assertThat(server.get("/readyz").statusCode()).isEqualTo(200);

    Files.delete(images);

    await().atMost(WAIT).until(() -> server.get("/readyz").statusCode() == 503);
    assertThat(JSON.readTree(server.get("/readyz").body()).at("/checks/origin/detail").asText())
        .isEqualTo("origin directory " + images + " is gone");
  }

  @Test
  void offTheOriginIsNotAsked() throws Exception {
    origin = TestOrigin.start();
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.of(origin.glanceSpec()));

    HttpResponse<byte[]> ready = server.get("/readyz");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("checks").has("origin")).isFalse();
    assertThat(origin.requestCount("/versions")).isZero();
  }
}
