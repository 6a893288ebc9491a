package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.ImageId;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving images of a Glance origin: Glance decides who reads which image, also when the image is
 * cached; the caller's token is forwarded; size and checksum come from the image's metadata even
 * though Glance streams the file chunked; every other Glance path is passed through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GlanceOriginServingTest {
  private static final int SIZE = MiB + 11;
  private static final byte[] IMAGE = TestImages.bytes(6, SIZE);
  private static final String MD5 = TestImages.md5(IMAGE);
  private static final ImageId ID = ImageId.of("img");

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
    server = ServerHarness.start(tmp.resolve("cache"), origin.glanceSpec());
  }

  @AfterEach
  void stop() throws IOException {
    try {
      server.close();
    } finally {
      origin.close();
    }
  }

  private int fileRequests() {
    return origin.requestCount("/v2/images/img/file");
  }

  @Test
  void missIsSentWithTheSizeAndChecksumOfTheMetadataAndTheCallersToken() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "X-Auth-Token: reader-token");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("Content-Length")).hasValue(Integer.toString(SIZE));
      assertThat(response.header("Content-MD5")).hasValue(MD5);
      assertThat(response.body()).isEqualTo(IMAGE);
    }
    assertThat(origin.requests("/v2/images/img/file")).singleElement()
        .satisfies(request -> assertThat(request.header("X-Auth-Token")).hasValue("reader-token"));
    assertThat(server.cache().isCached(ID)).isTrue();
  }

  @Test
  void cachedImageIsRefusedToACallerWhoseTokenTheOriginRefuses() throws Exception {
    origin.requireToken("good-token");
    HttpResponse<byte[]> allowed = server.get(file("img"), "X-Auth-Token", "good-token");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(server.cache().isCached(ID)).isTrue();

    HttpResponse<byte[]> wrongToken = server.get(file("img"), "X-Auth-Token", "bad-token");
    HttpResponse<byte[]> noToken = server.get(file("img"));
    HttpResponse<Void> headWrongToken = server.head(file("img"), "X-Auth-Token", "bad-token");
    HttpResponse<byte[]> rangeWrongToken =
        server.get(file("img"), "X-Auth-Token", "bad-token", "Range", "bytes=0-9");
    HttpResponse<byte[]> allowedAgain = server.get(file("img"), "X-Auth-Token", "good-token");

    assertThat(wrongToken.statusCode()).isEqualTo(401);
    assertThat(new String(wrongToken.body(), StandardCharsets.UTF_8)).doesNotContain("good-token");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(headWrongToken.statusCode()).isEqualTo(401);
    assertThat(rangeWrongToken.statusCode()).isEqualTo(401);
    assertThat(allowedAgain.statusCode()).isEqualTo(200);
    assertThat(allowedAgain.body()).isEqualTo(IMAGE);
    assertThat(fileRequests()).as("downloads from the origin").isEqualTo(1);
  }

  @Test
  void cachedImageIsHiddenFromACallerTheOriginDoesNotShowItTo() throws Exception {
    origin.image("img").visibleTo("alice");
    HttpResponse<byte[]> alice = server.get(file("img"), "X-Auth-Token", "alice");

    HttpResponse<byte[]> bob = server.get(file("img"), "X-Auth-Token", "bob");
    HttpResponse<Void> bobHead = server.head(file("img"), "X-Auth-Token", "bob");

    assertThat(alice.statusCode()).isEqualTo(200);
    assertThat(bob.statusCode()).isEqualTo(404);
    assertThat(bobHead.statusCode()).isEqualTo(404);
    assertThat(fileRequests()).isEqualTo(1);
  }

  @Test
  void cachedImageDeactivatedAtTheOriginIsRefused() throws Exception {
    server.get(file("img"), "X-Auth-Token", "first");
    origin.image("img").glanceStatus("deactivated");

    HttpResponse<byte[]> later = server.get(file("img"), "X-Auth-Token", "second");

    assertThat(later.statusCode()).isEqualTo(403);
    assertThat(server.cache().isCached(ID)).isTrue();
  }

  @Test
  void originRefusingTheCallerWith403IsAnswered403() throws Exception {
    origin.image("img").status(403);

    HttpResponse<byte[]> response = server.get(file("img"), "X-Auth-Token", "someone");

    assertThat(response.statusCode()).isEqualTo(403);
    server.assertNotCached("img");
  }

  @Test
  void imageLargerThanTheCacheIsStreamedThroughWithOneDownloadPerRequest() throws Exception {
    server.close();
    server = ServerHarness.start(
        ServerHarness.config(tmp.resolve("small")).maxSize(SIZE / 2).build(),
        Optional.of(origin.glanceSpec()));

    HttpResponse<byte[]> first = server.get(file("img"), "X-Auth-Token", "reader");
    HttpResponse<byte[]> second = server.get(file("img"), "X-Auth-Token", "reader");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(first.body()).isEqualTo(IMAGE);
    assertThat(second.body()).isEqualTo(IMAGE);
    assertThat(fileRequests()).isEqualTo(2);
    server.assertNotCached("img");
  }

  @Test
  void imageLargerThanTheCacheWithAWrongChecksumBreaksTheConnection() throws Exception {
    origin.image("img").wrongReprDigest();
    server.close();
    server = ServerHarness.start(
        ServerHarness.config(tmp.resolve("small")).maxSize(SIZE / 2).build(),
        Optional.of(origin.glanceSpec()));

    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "X-Auth-Token: reader");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.complete()).isFalse();
    }
    server.assertNotCached("img");
  }

  @Test
  void otherGlancePathsArePassedThroughToTheOrigin() throws Exception {
    HttpResponse<byte[]> metadata = server.get("/v2/images/img", "X-Auth-Token", "reader");
    HttpResponse<byte[]> unknown = server.get("/v2/schemas/image", "X-Auth-Token", "reader");

    assertThat(metadata.statusCode()).isEqualTo(200);
    JsonNode document = new ObjectMapper().readTree(metadata.body());
    assertThat(document.get("status").asText()).isEqualTo("active");
    assertThat(document.get("checksum").asText()).isEqualTo(MD5);
    assertThat(document.get("size").asLong()).isEqualTo(SIZE);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new String(unknown.body(), StandardCharsets.UTF_8)).isEqualTo("no such path");
    assertThat(origin.requests("/v2/images/img")).last()
        .satisfies(request -> assertThat(request.header("X-Auth-Token")).hasValue("reader"));
    assertThat(fileRequests()).isZero();
  }

  @Test
  void deletingTheImageThroughTheCacheEvictsTheCachedCopy() throws Exception {
    assertThat(server.get(file("img"), "X-Auth-Token", "reader").body()).isEqualTo(IMAGE);
    assertThat(server.cache().isCached(ID)).isTrue();

    HttpResponse<byte[]> deleted = server.client().send(
        server.request("/v2/images/img").header("X-Auth-Token", "owner").DELETE().build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(deleted.statusCode()).isEqualTo(204);
    // The eviction's own look at the image (a GET) may reach Glance before or after this check.
    assertThat(origin.requests("/v2/images/img")).extracting(RecordedRequest::method)
        .containsOnlyOnce("DELETE");
    await().atMost(ServerHarness.WAIT).until(() -> !server.cache().isCached(ID));
  }

  @Test
  void aDeleteGlanceRefusesKeepsTheCachedCopyAndOneItAcceptsEvictsIt() throws Exception {
    origin.image("img").visibleTo("owner");
    origin.put("other", IMAGE);
    assertThat(server.get(file("img"), "X-Auth-Token", "owner").statusCode()).isEqualTo(200);
    assertThat(server.get(file("other"), "X-Auth-Token", "owner").statusCode()).isEqualTo(200);
    ImageId other = ImageId.of("other");
    assertThat(server.cache().isCached(ID)).isTrue();
    assertThat(server.cache().isCached(other)).isTrue();

    // No token: Glance refuses with 401, while the cache's own (tokenless) look at the image gets
    // 404 because the image is private: exactly the case that used to evict. Both deletes on one
    // connection, so the server decides on the refused one before it reads the accepted one, and
    // the eviction of "other" marks a moment after any eviction of "img" would have begun.
    try (RawHttp connection = server.connect()) {
      connection.send("DELETE", "/v2/images/img");
      assertThat(connection.read().status()).isEqualTo(401);
      connection.send("DELETE", "/v2/images/other", "X-Auth-Token: owner");
      assertThat(connection.read().status()).isEqualTo(204);
    }

    await().atMost(ServerHarness.WAIT).until(() -> !server.cache().isCached(other));
    assertThat(server.cache().isCached(ID)).isTrue();
    HttpResponse<byte[]> stillServed = server.get(file("img"), "X-Auth-Token", "owner");
    assertThat(stillServed.statusCode()).isEqualTo(200);
    assertThat(stillServed.body()).isEqualTo(IMAGE);
    assertThat(fileRequests()).as("downloads of img from the origin").isEqualTo(1);
  }

  @Test
  void aTokenThatCannotBeSentOnIsABadRequestAndNothingReachesTheOrigin() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "X-Auth-Token: two words");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.text()).contains("auth token may contain only visible ASCII characters");
    }
    assertThat(origin.requests()).isEmpty();
    server.assertNotCached("img");
  }

  @Test
  void aReadWithTwoTokensIsRefusedAndNothingReachesTheOrigin() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "X-Auth-Token: reader-token", "X-Auth-Token: other-token");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.text()).contains("more than one X-Auth-Token");
      connection.sendGet("/v2/images/img", "X-Auth-Token: reader-token", "x-auth-token: ");
      RawHttp.Response proxied = connection.read();
      assertThat(proxied.status()).isEqualTo(400);
    }
    assertThat(origin.requests()).isEmpty();
    server.assertNotCached("img");
  }

  @Test
  void theAdminTokenSentOnAnImageReadOrAProxiedPath_neverReachesTheOrigin() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "X-Auth-Token: " + ServerHarness.ADMIN_TOKEN);
      assertThat(connection.read().status()).isEqualTo(200);
      connection.sendGet("/v2/images/img", "X-Auth-Token: " + ServerHarness.ADMIN_TOKEN);
      assertThat(connection.read().status()).isEqualTo(200);
    }

    assertThat(origin.requests()).isNotEmpty().allSatisfy(request ->
        assertThat(request.header("X-Auth-Token")).isEmpty());
  }
}
