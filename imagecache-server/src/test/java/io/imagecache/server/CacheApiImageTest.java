package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.imagecache.CacheConfig;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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

/**
 * The cache API on one image: {@code PUT /v2/cache/{id}} (queue and prefetch),
 * {@code DELETE /v2/cache/{id}}, pins and {@code GET /v2/cache/status}, against a Glance test
 * origin (spec §4.1–4.3, §6 scenarios 54–56, 60–63, 76, 77).
 */
class CacheApiImageTest {
  private static final int SIZE = 64 * TestImages.KiB;

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ServerHarness server;
  private AdminApi api;
  /** Gates a test opened; released after it so that no origin thread stays blocked. */
  private final List<Gate> gates = new ArrayList<>();

  private void start() throws Exception {
    start(config -> config);
  }

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

  // ---- GET /v2/cache and PUT /v2/cache/{id}

  @Test
  void aFreshCacheListsNothingUnderExactlyTheTwoGlanceKeys() throws Exception {
    start();

    HttpResponse<String> response = api.send("GET", "/v2/cache");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
  }

  @Test
  void putQueuesAnActiveImageThatIsCachedWithinSecondsAndLeavesTheQueue() throws Exception {
    start();
    byte[] bytes = TestImages.bytes(1, SIZE);
    origin.put("img", bytes);
    Instant before = Instant.now();

    HttpResponse<String> put = api.send("PUT", "/v2/cache/img");

    assertThat(put.statusCode()).isEqualTo(202);
    assertThat(put.body()).isEmpty();
    assertThat(put.headers().firstValue("Content-Length")).hasValue("0");
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent() && api.idle());
    JsonNode listing = api.listing();
    assertThat(listing.properties()).extracting(entry -> entry.getKey())
        .containsExactly("cached_images", "queued_images");
    assertThat(listing.path("queued_images")).isEmpty();
    JsonNode entry = listing.path("cached_images").get(0);
    assertThat(entry.properties()).extracting(field -> field.getKey()).containsExactly(
        "image_id", "hits", "last_accessed", "last_modified", "size", "checksum", "pinned");
    assertThat(entry.path("image_id").asText()).isEqualTo("img");
    assertThat(entry.path("hits").isIntegralNumber()).isTrue();
    assertThat(entry.path("hits").asLong()).isZero();
    assertThat(entry.path("size").asLong()).isEqualTo(SIZE);
    assertThat(entry.path("checksum").asText()).isEqualTo(TestImages.md5(bytes));
    assertThat(entry.path("pinned").asBoolean(true)).isFalse();
    assertThat(entry.path("last_modified").isFloatingPointNumber()).isTrue();
    assertThat(entry.path("last_modified").asDouble())
        .isBetween(before.getEpochSecond() - 1.0, Instant.now().getEpochSecond() + 1.0);
    assertThat(entry.path("last_accessed").asDouble())
        .isEqualTo(entry.path("last_modified").asDouble());
    assertThat(origin.requestCount("/v2/images/img/file")).isEqualTo(1);

    HttpResponse<byte[]> download = server.get(ServerHarness.file("img"));
    assertThat(download.body()).isEqualTo(bytes);
    assertThat(origin.requestCount("/v2/images/img/file")).as("fetches").isEqualTo(1);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").orElseThrow().path("hits").asLong(),
        hits -> hits == 1);
  }

  @Test
  void putOfAnImageAlreadyCachedIsAcceptedWithoutASecondDownload() throws Exception {
    start();
    byte[] bytes = TestImages.bytes(2, SIZE);
    origin.put("img", bytes);
    assertThat(server.get(ServerHarness.file("img")).body()).isEqualTo(bytes);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent());

    HttpResponse<String> put = api.send("PUT", "/v2/cache/img");

    assertThat(put.statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(api::idle);
    assertThat(api.cachedIds()).containsExactly("img");
    assertThat(api.queuedIds()).isEmpty();
    assertThat(origin.requestCount("/v2/images/img/file")).as("fetches").isEqualTo(1);
    assertThat(server.get(ServerHarness.file("img")).body()).isEqualTo(bytes);
  }

  @Test
  void putWhileAClientDownloadFillsTheImageJoinsThatFill() throws Exception {
    start();
    byte[] bytes = TestImages.bytes(3, SIZE);
    Gate gate = gate(origin.put("img", bytes).pauseAfter(SIZE / 2));
    CompletableFuture<HttpResponse<byte[]>> download = server.client().sendAsync(
        server.request(ServerHarness.file("img")).build(), BodyHandlers.ofByteArray());
    assertThat(gate.awaitReached(WAIT)).isTrue();

    HttpResponse<String> put = api.send("PUT", "/v2/cache/img");
    gate.release();

    assertThat(put.statusCode()).isEqualTo(202);
    assertThat(download.get().body()).isEqualTo(bytes);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent() && api.idle());
    assertThat(origin.requestCount("/v2/images/img/file")).as("fetches").isEqualTo(1);
  }

  @Test
  void putOfAnUnknownImageIs404WithGlancesMessage() throws Exception {
    start();

    HttpResponse<String> put = api.send("PUT", "/v2/cache/unknown");

    assertThat(put.statusCode()).isEqualTo(404);
    assertThat(put.body()).isEqualTo("404 Not Found: Image unknown not found.");
    assertThat(api.queuedIds()).isEmpty();
    assertThat(api.status().path("prefetch")).isEmpty();
  }

  @Test
  void putOfAnImageThatIsNotActiveIs400AndQueuesNothing() throws Exception {
    start();
    List<String> statuses =
        List.of("queued", "saving", "pending_delete", "deactivated", "importing", "uploading");
    for (String status : statuses) {
      origin.put(status, TestImages.bytes(4, 100)).glanceStatus(status);

      HttpResponse<String> put = api.send("PUT", "/v2/cache/" + status);

      assertThat(put.statusCode()).as(status).isEqualTo(400);
      assertThat(put.body()).as(status).isEqualTo("400 Bad Request: Only images with status"
          + " active can be targeted for queueing (image " + status + " is " + status + ")");
    }
    assertThat(api.listing().toString())
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
    assertThat(api.status().path("prefetch")).isEmpty();
    assertThat(origin.requests().stream().filter(r -> r.path().endsWith("/file"))).isEmpty();
  }

  @Test
  void aPrefetchThatBreaksCachesNothingAndTheNextQueuedImageIsStillFetched() throws Exception {
    start(config -> config.prefetchWorkers(1).prefetchMaxAttempts(1));
    origin.put("bad", TestImages.bytes(5, SIZE)).wrongMd5().wrongReprDigest();
    byte[] good = TestImages.bytes(6, SIZE);
    origin.put("good", good);

    assertThat(api.send("PUT", "/v2/cache/bad").statusCode()).isEqualTo(202);
    assertThat(api.send("PUT", "/v2/cache/good").statusCode()).isEqualTo(202);

    await().atMost(WAIT).until(() -> api.cachedEntry("good").isPresent());
    await().atMost(WAIT).until(() -> api.prefetchEntry("bad")
        .map(entry -> entry.path("state").asText()).orElse(""), "failed"::equals);
    JsonNode failed = api.prefetchEntry("bad").orElseThrow();
    assertThat(failed.path("attempts").asInt()).isEqualTo(1);
    assertThat(failed.path("last_error").isTextual()).isTrue();
    assertThat(failed.path("next_attempt_at").isNull()).isTrue();
    assertThat(api.cachedIds()).containsExactly("good");
    assertThat(server.dir().resolve("invalid").resolve("bad")).exists();
    assertThat(server.get(ServerHarness.file("good")).body()).isEqualTo(good);
  }

  // ---- DELETE /v2/cache/{id}

  @Test
  void deleteOfACachedImageIs204AndEmptiesTheListing() throws Exception {
    start();
    origin.put("img", TestImages.bytes(7, SIZE));
    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent() && api.idle());

    HttpResponse<String> delete = api.send("DELETE", "/v2/cache/img");

    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(delete.body()).isEmpty();
    assertThat(api.listing().toString())
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
    assertThat(server.dir().resolve("img")).doesNotExist();
  }

  @Test
  void deleteOfAnImageNeitherTheCacheNorTheOriginKnowsIs404() throws Exception {
    start();

    HttpResponse<String> delete = api.send("DELETE", "/v2/cache/unknown");

    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(delete.body()).isEqualTo("404 Not Found: Image unknown not found.");
  }

  @Test
  void deleteOfAnImageOnlyTheOriginKnowsIs204() throws Exception {
    start();
    origin.put("uncached", TestImages.bytes(8, 100));
    origin.put("inactive", TestImages.bytes(8, 100)).glanceStatus("deactivated");

    assertThat(api.send("DELETE", "/v2/cache/uncached").statusCode()).isEqualTo(204);
    assertThat(api.send("DELETE", "/v2/cache/inactive").statusCode()).isEqualTo(204);
    assertThat(origin.requests().stream().filter(r -> r.path().endsWith("/file"))).isEmpty();
  }

  @Test
  void deleteOfAQueuedImageTheOriginNoLongerHasIs204AndEmptiesBothLists() throws Exception {
    start();
    Gate gate = gate(origin.put("img", TestImages.bytes(9, SIZE)).pauseAfter(0));
    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);
    assertThat(gate.awaitReached(WAIT)).isTrue();
    assertThat(api.queuedIds()).containsExactly("img");
    origin.remove("img");

    HttpResponse<String> delete = api.send("DELETE", "/v2/cache/img");
    gate.release();

    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(api.queuedIds()).isEmpty();
    await().atMost(WAIT).until(api::idle);
    assertThat(api.listing().toString())
        .isEqualTo("{\"cached_images\":[],\"queued_images\":[]}");
    await().atMost(WAIT).until(() -> server.incompleteFiles().isEmpty());
  }

  @Test
  void deleteOfACachedImageTheOriginNoLongerHasIs204() throws Exception {
    start();
    origin.put("img", TestImages.bytes(10, SIZE));
    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent() && api.idle());
    origin.remove("img");

    HttpResponse<String> delete = api.send("DELETE", "/v2/cache/img");

    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(api.cachedIds()).isEmpty();
  }

  @Test
  void deleteCancelsAFillInProgressSoThatNothingIsCached() throws Exception {
    start();
    Gate gate = gate(origin.put("img", TestImages.bytes(11, SIZE)).pauseAfter(SIZE / 4));
    CompletableFuture<HttpResponse<byte[]>> download = server.client().sendAsync(
        server.request(ServerHarness.file("img")).build(), BodyHandlers.ofByteArray());
    assertThat(gate.awaitReached(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> !api.status().path("fills").isEmpty());

    HttpResponse<String> delete = api.send("DELETE", "/v2/cache/img");
    gate.release();

    assertThat(delete.statusCode()).isEqualTo(204);
    assertThat(download).failsWithin(WAIT).withThrowableThat().havingRootCause()
        .isInstanceOf(IOException.class);
    await().atMost(WAIT).until(api::idle);
    assertThat(api.cachedIds()).isEmpty();
    server.assertNotCached("img");
  }

  // ---- pins

  @Test
  void pinAndUnpinAre204IdempotentAndShowInTheListing() throws Exception {
    start();
    origin.put("img", TestImages.bytes(12, SIZE));

    assertThat(api.send("PUT", "/v2/cache/img/pin").statusCode()).as("pin before caching")
        .isEqualTo(204);
    assertThat(api.send("PUT", "/v2/cache/img/pin").statusCode()).as("pin again").isEqualTo(204);
    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent());
    assertThat(api.cachedEntry("img").orElseThrow().path("pinned").asBoolean()).isTrue();

    assertThat(api.send("DELETE", "/v2/cache/img/pin").statusCode()).isEqualTo(204);
    assertThat(api.cachedEntry("img").orElseThrow().path("pinned").asBoolean(true)).isFalse();
    assertThat(api.send("DELETE", "/v2/cache/img/pin").statusCode()).as("unpin again")
        .isEqualTo(204);
    assertThat(api.send("DELETE", "/v2/cache/never-pinned/pin").statusCode()).isEqualTo(204);
  }

  // ---- GET /v2/cache/status

  @Test
  void statusShowsAFillInProgressWithItsProgress() throws Exception {
    start();
    Gate gate = gate(origin.put("img", TestImages.bytes(13, SIZE)).pauseAfter(SIZE / 2));
    CompletableFuture<HttpResponse<byte[]>> download = server.client().sendAsync(
        server.request(ServerHarness.file("img")).build(), BodyHandlers.ofByteArray());
    assertThat(gate.awaitReached(WAIT)).isTrue();

    await().atMost(WAIT).until(() -> api.status().path("fills").path(0)
        .path("bytes_written").asLong(), written -> written == SIZE / 2);
    JsonNode status = api.status();
    gate.release();

    assertThat(status.properties()).extracting(entry -> entry.getKey())
        .containsExactly("fills", "prefetch");
    JsonNode fill = status.path("fills").get(0);
    assertThat(fill.properties()).extracting(entry -> entry.getKey()).containsExactly(
        "image_id", "state", "bytes_written", "expected_size", "started_at");
    assertThat(fill.path("image_id").asText()).isEqualTo("img");
    assertThat(fill.path("state").asText()).isEqualTo("running");
    assertThat(fill.path("expected_size").asLong()).isEqualTo(SIZE);
    assertThat(fill.path("started_at").isFloatingPointNumber()).isTrue();
    assertThat(status.path("prefetch")).isEmpty();
    assertThat(download.get().statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(api::idle);
  }

  @Test
  void statusShowsAFailingPrefetchRetriedThenGivenUpWithItsError() throws Exception {
    start(config -> config.prefetchMaxAttempts(2));
    origin.put("img", TestImages.bytes(14, SIZE)).truncateAfter(SIZE / 2);

    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);

    List<String> seen = new ArrayList<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      Optional<JsonNode> entry = api.prefetchEntry("img");
      entry.ifPresent(e -> {
        String state = e.path("state").asText();
        if (state.equals("retrying")) {
          assertThat(e.path("next_attempt_at").isNumber()).as("next_attempt_at").isTrue();
          assertThat(e.path("last_error").isTextual()).as("last_error").isTrue();
        }
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state)) {
          seen.add(state);
        }
      });
      return seen.contains("failed");
    });
    JsonNode failed = api.prefetchEntry("img").orElseThrow();
    assertThat(seen).last().isEqualTo("failed");
    assertThat(failed.properties()).extracting(entry -> entry.getKey()).containsExactly(
        "image_id", "state", "attempts", "last_error", "next_attempt_at");
    assertThat(failed.path("attempts").asInt()).isEqualTo(2);
    assertThat(failed.path("last_error").asText()).isNotBlank();
    assertThat(failed.path("next_attempt_at").isNull()).isTrue();
    assertThat(api.cachedIds()).isEmpty();
    assertThat(origin.requestCount("/v2/images/img/file")).isEqualTo(2);

    assertThat(api.send("DELETE", "/v2/cache/img").statusCode())
        .as("delete of an id only the prefetch queue still knows").isEqualTo(204);
    assertThat(api.prefetchEntry("img")).isEmpty();
  }

  private Gate gate(Gate gate) {
    gates.add(gate);
    return gate;
  }
}
