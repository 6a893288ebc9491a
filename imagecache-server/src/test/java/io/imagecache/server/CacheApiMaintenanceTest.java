package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cache API on the whole cache: {@code DELETE /v2/cache} and its clear targets, clean, prune
 * and nodes (spec §4.4–4.7, §6 scenarios 57–60, 66, 68, 70, 71).
 */
class CacheApiMaintenanceTest {
  private static final int KiB = TestImages.KiB;

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ServerHarness server;
  private AdminApi api;
  /** Gates a test opened; released after it so that no origin thread stays blocked. */
  private final List<Gate> gates = new ArrayList<>();

  private void start(UnaryOperator<CacheConfig.Builder> settings) throws Exception {
    origin = TestOrigin.start();
    server = ServerHarness.start(
        settings.apply(ServerHarness.config(dir.resolve("cache"))).build(),
        Optional.of(origin.glanceSpec()));
    api = new AdminApi(server);
  }

  @AfterEach
  void stop() throws Exception {
    gates.forEach(Gate::release);
    if (server != null) {
      server.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  // ---- DELETE /v2/cache

  @Test
  void clearWithTargetQueueEmptiesTheQueueAndKeepsTheCache() throws Exception {
    start(config -> config.prefetchWorkers(2));
    cache("cached");
    queueAndHold("q1");
    queueAndHold("q2");
    assertThat(api.queuedIds()).containsExactlyInAnyOrder("q1", "q2");

    HttpResponse<String> clear =
        api.send("DELETE", "/v2/cache", "x-image-cache-clear-target", "queue");

    assertThat(clear.statusCode()).isEqualTo(204);
    assertThat(clear.body()).isEmpty();
    assertThat(api.queuedIds()).isEmpty();
    assertThat(api.cachedIds()).containsExactly("cached");
  }

  @Test
  void clearWithTargetCacheInAnyCaseEmptiesTheCache() throws Exception {
    start(config -> config);
    cache("a");
    cache("b");

    HttpResponse<String> clear =
        api.send("DELETE", "/v2/cache", "x-image-cache-clear-target", "CACHE");

    assertThat(clear.statusCode()).isEqualTo(204);
    assertThat(api.listing().toString())
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
    assertThat(server.dir().resolve("a")).doesNotExist();
  }

  @ParameterizedTest(name = "x-image-cache-clear-target: {0}")
  @NullSource
  @ValueSource(strings = {"", "both", "Both"})
  void clearWithoutTargetOrWithBothEmptiesTheCacheAndTheQueueForGood(String target)
      throws Exception {
    start(config -> config);
    cache("cached");
    Gate held = queueAndHold("queued");

    HttpResponse<String> clear = target == null
        ? api.send("DELETE", "/v2/cache")
        : api.send("DELETE", "/v2/cache", "x-image-cache-clear-target", target);

    assertThat(clear.statusCode()).isEqualTo(204);
    assertThat(api.listing().toString())
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
    held.release();
    await().atMost(WAIT).until(api::idle);
    assertThat(api.listing().toString()).as("after the cancelled prefetch ended")
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
  }

  @Test
  void clearWithAnyOtherTargetIs400AndClearsNothing() throws Exception {
    start(config -> config);
    cache("cached");

    HttpResponse<String> clear =
        api.send("DELETE", "/v2/cache", "x-image-cache-clear-target", "bogus");

    assertThat(clear.statusCode()).isEqualTo(400);
    assertThat(clear.body()).isEqualTo("400 Bad Request: If provided"
        + " 'x-image-cache-clear-target' must be 'cache', 'queue', 'both' or empty string.");
    assertThat(api.cachedIds()).containsExactly("cached");
  }

  // ---- POST /v2/cache/clean

  @Test
  void cleanRemovesInvalidAndStalledFilesKeepsFreshOnesAndCountsThem() throws Exception {
    start(config -> config);
    Path invalid = plant("invalid", "broken", 300);
    Path stalled = plant("incomplete", "stalled", 200);
    Files.setLastModifiedTime(stalled, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Path fresh = plant("incomplete", "fresh", 100);

    HttpResponse<String> clean = api.send("POST", "/v2/cache/clean");

    assertThat(clean.statusCode()).isEqualTo(200);
    assertThat(clean.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(clean.body()).isEqualTo("{\"invalid_files_removed\":1,"
        + "\"stalled_files_removed\":1,\"total_bytes_removed\":500}");
    assertThat(invalid).doesNotExist();
    assertThat(stalled).doesNotExist();
    assertThat(fresh).exists();
    Files.delete(fresh);
  }

  @Test
  void twoConcurrentCleansRunOneAfterTheOther() throws Exception {
    start(config -> config);
    for (int i = 0; i < 20; i++) {
      plant("invalid", "broken-" + i, 10);
    }

    List<JsonNode> results = concurrently("POST", "/v2/cache/clean");

    assertThat(results).extracting(result -> result.path("invalid_files_removed").asInt())
        .containsExactlyInAnyOrder(20, 0);
  }

  // ---- POST /v2/cache/prune

  @Test
  void pruneReportsWhatItRemovedAndTheListingShowsTheRest() throws Exception {
    start(config -> config.maxSize(100 * KiB));
    assertThat(api.send("POST", "/v2/cache/prune").body())
        .as("prune of an empty cache")
        .isEqualTo("{\"total_files_pruned\":0,\"total_bytes_pruned\":0}");
    for (int i = 0; i < 15; i++) {
      origin.put("img-" + i, TestImages.bytes(i, 10 * KiB));
      assertThat(api.send("PUT", "/v2/cache/img-" + i).statusCode()).isEqualTo(202);
    }
    await().atMost(WAIT).until(() -> api.idle() && api.queuedIds().isEmpty());
    int before = api.cachedIds().size();

    JsonNode pruned = api.okJson("POST", "/v2/cache/prune");

    int files = pruned.path("total_files_pruned").asInt();
    assertThat(pruned.properties()).extracting(entry -> entry.getKey())
        .containsExactly("total_files_pruned", "total_bytes_pruned");
    assertThat(pruned.path("total_bytes_pruned").asLong()).isEqualTo(files * 10L * KiB);
    List<String> left = api.cachedIds();
    assertThat(left).hasSize(before - files);
    assertThat(left.size() * 10L * KiB).isLessThanOrEqualTo(100L * KiB);
  }

  @Test
  void twoConcurrentPrunesRunOneAfterTheOther() throws Exception {
    start(config -> config.maxSize(1024 * KiB));
    for (int i = 0; i < 6; i++) {
      cache("img-" + i);
    }
    server.close();
    server = ServerHarness.start(
        ServerHarness.config(dir.resolve("cache")).maxSize(2 * 10 * KiB).build(),
        Optional.of(origin.glanceSpec()));
    api = new AdminApi(server);
    int before = api.cachedIds().size();

    List<JsonNode> results = concurrently("POST", "/v2/cache/prune");

    List<Integer> files = results.stream()
        .map(result -> result.path("total_files_pruned").asInt()).toList();
    assertThat(files).contains(0);
    assertThat(files.get(0) + files.get(1)).isEqualTo(before - api.cachedIds().size());
    assertThat(api.cachedIds()).hasSize(2);
  }

  // ---- GET /v2/cache/nodes/{id}

  @ParameterizedTest
  @EnumSource(value = DriverKind.class, names = {"SQLITE", "XATTR"})
  void nodesIs409WithADriverThatDoesNotTrackNodes(DriverKind driver) throws Exception {
    start(config -> config.driver(driver));
    cache("img");

    HttpResponse<String> nodes = api.send("GET", "/v2/cache/nodes/img");
    HttpResponse<String> unknown = api.send("GET", "/v2/cache/nodes/unknown");

    assertThat(nodes.statusCode()).isEqualTo(409);
    assertThat(nodes.body()).startsWith("409 Conflict: Centralized caching is not enabled");
    assertThat(unknown.statusCode()).as("the driver is checked before the image").isEqualTo(409);
  }

  // ---- helpers

  /** Caches image {@code id} (10 KiB) through the API and waits until it is listed. */
  private void cache(String id) throws Exception {
    origin.put(id, TestImages.bytes(id.hashCode(), 10 * KiB));
    assertThat(api.send("PUT", "/v2/cache/" + id).statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> api.cachedEntry(id).isPresent());
  }

  /** Queues image {@code id} whose fetch the origin holds before the first byte. */
  private Gate queueAndHold(String id) throws Exception {
    Gate gate = origin.put(id, TestImages.bytes(id.hashCode(), 10 * KiB)).pauseAfter(0);
    gates.add(gate);
    assertThat(api.send("PUT", "/v2/cache/" + id).statusCode()).isEqualTo(202);
    assertThat(gate.awaitReached(WAIT)).isTrue();
    return gate;
  }

  /** A file of {@code size} bytes at {@code <cache>/<subdir>/<name>}. */
  private Path plant(String subdir, String name, int size) throws Exception {
    Path file = server.dir().resolve(subdir).resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[size]);
    return file;
  }

  /** Sends {@code method path} twice at once and returns both JSON answers. */
  private List<JsonNode> concurrently(String method, String path) throws Exception {
    CompletableFuture<HttpResponse<String>> first =
        CompletableFuture.supplyAsync(() -> send(method, path));
    CompletableFuture<HttpResponse<String>> second =
        CompletableFuture.supplyAsync(() -> send(method, path));
    List<JsonNode> results = new ArrayList<>();
    for (HttpResponse<String> response : List.of(first.get(), second.get())) {
      assertThat(response.statusCode()).isEqualTo(200);
      results.add(AdminApi.parse(response.body()));
    }
    return results;
  }

  private HttpResponse<String> send(String method, String path) {
    try {
      return api.send(method, path);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }
}
