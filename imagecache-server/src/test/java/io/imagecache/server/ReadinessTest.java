package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /readyz} on a real server: 200 with every check named while the metadata store
 * answers and the cache directory takes new files; 503 naming the failed check when the embedded
 * PostgreSQL is stopped or the probe file cannot be created (and {@code imagecache_ready} says
 * which); {@code /healthz} stays 200 meanwhile.
 */
class ReadinessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private ServerHarness server;
  private EmbeddedPostgres postgres;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aSqliteCacheIsReadyAndNamesEachCheck() throws Exception {
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.empty());

    HttpResponse<byte[]> ready = server.get("/readyz");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    JsonNode body = json(ready);
    assertThat(body.get("status").asText()).isEqualTo("ready");
    assertThat(body.at("/checks/store/ok").asBoolean()).isTrue();
    assertThat(body.at("/checks/store/detail").asText()).contains("sqlite");
    assertThat(body.at("/checks/cache_dir/ok").asBoolean()).isTrue();
    assertThat(server.dir().resolve("imagecache.probe")).doesNotExist();
  }

  @Test
  void onlyGetAndHeadAreAnswered() throws Exception {
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.empty());

    HttpResponse<String> post = new AdminApi(server).send(Optional.empty(), "POST", "/readyz");

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(server.head("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void aStoppedPostgresMakesTheServerNotReadyButStillLive() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    CacheConfig config = ServerHarness.config(dir.resolve("cache"))
        .driver(DriverKind.POSTGRES)
        .dbUrl(postgres.getJdbcUrl("postgres", "postgres"))
        .nodeUrl("http://node-1:9292")
        .build();
    server = ServerHarness.start(config, Optional.empty());
    assertThat(server.get("/readyz").statusCode()).isEqualTo(200);

    postgres.close();
    postgres = null;
    long start = System.nanoTime();
    HttpResponse<byte[]> notReady = server.get("/readyz");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(notReady.statusCode()).isEqualTo(503);
    JsonNode body = json(notReady);
    assertThat(body.get("status").asText()).isEqualTo("not ready");
    assertThat(body.at("/checks/store/ok").asBoolean()).isFalse();
    assertThat(body.at("/checks/store/detail").asText()).isNotBlank();
    assertThat(body.at("/checks/cache_dir/ok").asBoolean()).isTrue();
    // Bounded by the check's timeout, not by the pool's 10 s connection timeout.
    assertThat(tookMillis).isLessThan(Readiness.TIMEOUT.toMillis() + WAIT.toMillis() / 10);
    assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aCacheDirectoryThatTakesNoProbeFileIsNotReady() throws Exception {
    server = ServerHarness.start(ServerHarness.config(dir.resolve("cache")).build(),
        Optional.empty());
    // Tests run as root, whom a read-only mode does not stop: a non-empty directory where the
    // probe file goes fails its creation the same way.
    Path probe = server.dir().resolve("imagecache.probe");
    Files.createDirectories(probe.resolve("blocker"));

    HttpResponse<byte[]> notReady = server.get("/readyz");

    assertThat(notReady.statusCode()).isEqualTo(503);
    JsonNode body = json(notReady);
    assertThat(body.at("/checks/cache_dir/ok").asBoolean()).isFalse();
    assertThat(body.at("/checks/cache_dir/detail").asText()).contains("imagecache.probe");
    assertThat(body.at("/checks/store/ok").asBoolean()).isTrue();
    String metrics = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
    assertThat(metrics).contains("imagecache_ready{check=\"cache_dir\"} 0.0")
        .contains("imagecache_ready{check=\"store\"} 1.0");

    Files.delete(probe.resolve("blocker"));
    assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
  }

  private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
    return JSON.readTree(new String(response.body(), StandardCharsets.UTF_8));
  }
}
