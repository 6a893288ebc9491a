package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.ImageId;
import io.imagecache.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may call the cache API and in which order its checks answer (spec §4.0, §4.8): path and
 * method (405 with Allow), then the admin token (401 missing, 403 wrong), then a body where none
 * is expected, the image id, and only then the image itself (404) and its status (400).
 */
class CacheApiAccessTest {
  /** Every management endpoint, as method and path. */
  private static final List<String[]> ENDPOINTS = List.of(
      new String[] {"GET", "/v2/cache"},
      new String[] {"DELETE", "/v2/cache"},
      new String[] {"PUT", "/v2/cache/img"},
      new String[] {"DELETE", "/v2/cache/img"},
      new String[] {"POST", "/v2/cache/clean"},
      new String[] {"POST", "/v2/cache/prune"},
      new String[] {"GET", "/v2/cache/nodes/img"},
      new String[] {"GET", "/v2/cache/status"},
      new String[] {"PUT", "/v2/cache/img/pin"},
      new String[] {"DELETE", "/v2/cache/img/pin"});

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ServerHarness server;
  private AdminApi api;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", TestImages.bytes(1, 4 * TestImages.KiB));
    server = ServerHarness.start(dir.resolve("cache"), origin.glanceSpec());
    api = new AdminApi(server);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    origin.close();
  }

  // ---- admin token

  @Test
  void everyEndpointWithoutATokenIs401AndChangesNothing() throws Exception {
    for (String[] endpoint : ENDPOINTS) {
      HttpResponse<String> response = api.send(Optional.empty(), endpoint[0], endpoint[1]);

      assertThat(response.statusCode()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(401);
      assertThat(response.body())
          .isEqualTo("401 Unauthorized: this call needs the admin token in the X-Auth-Token"
              + " header");
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("text/plain; charset=UTF-8");
      assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }
    assertThat(origin.requests()).as("requests the origin received").isEmpty();
    assertThat(server.cache().isPinned(ImageId.of("img"))).isFalse();
  }

  @Test
  void everyEndpointWithAWrongOrEmptyTokenIs403Or401() throws Exception {
    for (String[] endpoint : ENDPOINTS) {
      HttpResponse<String> wrong =
          api.send(Optional.of("not-the-admin-token"), endpoint[0], endpoint[1]);
      HttpResponse<String> prefix =
          api.send(Optional.of(ServerHarness.ADMIN_TOKEN + "x"), endpoint[0], endpoint[1]);

      assertThat(wrong.statusCode()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(403);
      assertThat(wrong.body())
          .isEqualTo("403 Forbidden: the X-Auth-Token is not the admin token");
      assertThat(prefix.statusCode()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(403);
    }
    try (RawHttp raw = server.connect()) {
      raw.send("GET", "/v2/cache", "X-Auth-Token:");
      assertThat(raw.read().status()).as("an empty token").isEqualTo(401);
    }
    assertThat(origin.requests()).isEmpty();
  }

  @Test
  void theTokenIsCheckedBeforeTheImageItsStatusTheIdAndTheClearTarget() throws Exception {
    origin.put("saving", TestImages.bytes(2, 100)).glanceStatus("saving");

    assertThat(api.send(Optional.empty(), "PUT", "/v2/cache/unknown").statusCode()).isEqualTo(401);
    assertThat(api.send(Optional.of("wrong"), "PUT", "/v2/cache/unknown").statusCode())
        .isEqualTo(403);
    assertThat(api.send(Optional.of("wrong"), "PUT", "/v2/cache/saving").statusCode())
        .isEqualTo(403);
    assertThat(api.send(Optional.of("wrong"), "DELETE", "/v2/cache/unknown").statusCode())
        .isEqualTo(403);
    assertThat(api.send(Optional.empty(), "PUT", "/v2/cache/cache.db").statusCode())
        .isEqualTo(401);
    assertThat(api.send(Optional.of("wrong"), "DELETE", "/v2/cache",
        "x-image-cache-clear-target", "bogus").statusCode()).isEqualTo(403);
    assertThat(origin.requests()).isEmpty();

    assertThat(api.send("PUT", "/v2/cache/unknown").statusCode()).isEqualTo(404);
    assertThat(api.send("PUT", "/v2/cache/saving").statusCode()).isEqualTo(400);
  }

  @Test
  void healthAndVersionsNeedNoToken() throws Exception {
    assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(server.get("/versions").statusCode()).isEqualTo(200);
  }

  // ---- paths and methods

  @Test
  void wrongMethodsAre405WithAllowEvenWithoutAToken() throws Exception {
    String[][] cases = {
        {"POST", "/v2/cache", "GET, DELETE"},
        {"PUT", "/v2/cache", "GET, DELETE"},
        {"HEAD", "/v2/cache", "GET, DELETE"},
        {"GET", "/v2/cache/clean", "POST"},
        {"DELETE", "/v2/cache/clean", "POST"},
        {"PUT", "/v2/cache/prune", "POST"},
        {"POST", "/v2/cache/status", "GET"},
        {"DELETE", "/v2/cache/nodes/img", "GET"},
        {"GET", "/v2/cache/img", "DELETE, PUT"},
        {"POST", "/v2/cache/img", "DELETE, PUT"},
        {"GET", "/v2/cache/img/pin", "DELETE, PUT"},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = api.send(Optional.empty(), c[0], c[1]);

      assertThat(response.statusCode()).as("%s %s", c[0], c[1]).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).as("%s %s", c[0], c[1]).hasValue(c[2]);
    }
    assertThat(origin.requests()).isEmpty();
  }

  @Test
  void pathsUnderTheCacheApiThatNameNothingAre404AndNeverReachTheOrigin() throws Exception {
    for (String path : List.of("/v2/cache/", "/v2/cache/img/pin/x", "/v2/cache/a/b",
        "/v2/cache/nodes/img/x", "/v2/cache/nodes/")) {
      HttpResponse<String> response = api.send("GET", path);

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).isEqualTo("404 Not Found: no such path: " + path + "");
    }
    assertThat(origin.requests()).as("requests passed through to the Glance origin").isEmpty();
  }

  @Test
  void versionedPathsReachTheSameApi() throws Exception {
    HttpResponse<String> listing = api.send("GET", "/v2.16/cache");
    HttpResponse<String> prune = api.send("POST", "/v2.18/cache/prune");

    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(AdminApi.parse(listing.body()).has("cached_images")).isTrue();
    assertThat(prune.statusCode()).isEqualTo(200);
  }

  // ---- bodies and ids

  @Test
  void theListingAndNodesRejectABody() throws Exception {
    HttpResponse<String> listing = api.sendWithBody("GET", "/v2/cache", "{\"a\": 1}");
    HttpResponse<String> nodes = api.sendWithBody("GET", "/v2/cache/nodes/img", "{}");

    assertThat(listing.statusCode()).isEqualTo(400);
    assertThat(listing.body())
        .isEqualTo("400 Bad Request: A body is not expected with this request.");
    assertThat(nodes.statusCode()).isEqualTo(400);
    assertThat(api.send("GET", "/v2/cache").statusCode()).as("the next request").isEqualTo(200);
  }

  @Test
  void aChunkedBodyOnTheListingIsRejectedToo() throws Exception {
    try (RawHttp raw = server.connect()) {
      raw.sendRaw(("GET /v2/cache HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "
          + ServerHarness.ADMIN_TOKEN + "\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "2\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response rejected = raw.read();
      raw.send("GET", "/v2/cache", "X-Auth-Token: " + ServerHarness.ADMIN_TOKEN);
      RawHttp.Response next = raw.read();

      assertThat(rejected.status()).isEqualTo(400);
      assertThat(next.status()).as("the next request on the connection").isEqualTo(200);
    }
  }

  @Test
  void aPutWithABodyIsAcceptedAndTheBodyIgnored() throws Exception {
    HttpResponse<String> response = api.sendWithBody("PUT", "/v2/cache/img", "{\"x\": 1}");

    assertThat(response.statusCode()).isEqualTo(202);
  }

  @Test
  void aBadImageIdIs400WithTheReason() throws Exception {
    HttpResponse<String> reserved = api.send("PUT", "/v2/cache/cache.db");
    HttpResponse<String> space = api.send("DELETE", "/v2/cache/a%20b");
    HttpResponse<String> nodes = api.send("GET", "/v2/cache/nodes/%00");
    HttpResponse<String> pin = api.send("PUT", "/v2/cache/a%2Fb/pin");

    assertThat(reserved.statusCode()).isEqualTo(400);
    assertThat(reserved.body()).isEqualTo("400 Bad Request: invalid image id \"cache.db\":"
        + " the name is reserved by the cache directory");
    assertThat(space.statusCode()).isEqualTo(400);
    assertThat(space.body()).isEqualTo("400 Bad Request: invalid image id \"a b\": expected"
        + " 1-255 characters of letters, digits, '.', '_' or '-', and not '.' or '..'");
    assertThat(nodes.statusCode()).isEqualTo(400);
    assertThat(pin.statusCode()).isEqualTo(400);
    assertThat(origin.requests()).isEmpty();
  }

  @Test
  void aSecondTokenMakesTheCredentialAmbiguousAndIsRefused() throws Exception {
    for (String[] endpoint : ENDPOINTS) {
      try (RawHttp connection = server.connect()) {
        connection.send(endpoint[0], endpoint[1], "X-Auth-Token: " + ServerHarness.ADMIN_TOKEN,
            "X-Auth-Token: not-the-admin-token", "Content-Length: 0");
        RawHttp.Response response = connection.read();

        assertThat(response.status()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(400);
        assertThat(response.text()).contains("more than one X-Auth-Token");
      }
    }
    assertThat(origin.requests()).as("requests the origin received").isEmpty();
    assertThat(server.cache().isPinned(ImageId.of("img"))).isFalse();
  }
}
