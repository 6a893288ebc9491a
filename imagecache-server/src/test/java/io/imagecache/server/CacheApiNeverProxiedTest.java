package io.imagecache.server;

import static io.imagecache.server.ServerHarness.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.testing.RecordedRequest;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spellings of the cache API that a client can put on the wire, written byte for byte on a raw
 * socket to a server with a Glance origin: each is answered by imagecache (the real cache API when
 * it normalises to it, else a 404, 300 or 400 of its own), and the origin never sees the request,
 * let alone the admin token.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheApiNeverProxiedTest {
  private static final String LISTING = "{\"cached_images\":";
  private static final String NOT_THE_CACHE_API = "the cache API is /v2/cache";

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", TestImages.bytes(3, 4 * TestImages.KiB));
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

  /** Target, the status imagecache answers, and a piece of its body. */
  static Stream<Arguments> spellings() {
    return Stream.of(
        Arguments.of("http://127.0.0.1/v2/cache", 200, LISTING),
        Arguments.of("HTTP://127.0.0.1:9292/v2/cache?x=1", 200, LISTING),
        Arguments.of("/v2/%63ache", 200, LISTING),
        Arguments.of("/v2/%63%61%63%68%65", 200, LISTING),
        Arguments.of("/%762/cache", 200, LISTING),
        Arguments.of("/%76%32/cache", 200, LISTING),
        Arguments.of("/v2/./cache", 200, LISTING),
        Arguments.of("/v2/%2E/cache", 200, LISTING),
        Arguments.of("/v2/x/../cache", 200, LISTING),
        Arguments.of("/v2/x/%2e%2e/cache", 200, LISTING),
        Arguments.of("//v2/cache", 200, LISTING),
        Arguments.of("/v2//cache", 200, LISTING),
        Arguments.of("/V2/cache", 200, LISTING),
        Arguments.of("/v2.018/cache", 200, LISTING),
        Arguments.of("/V2.16/cache", 200, LISTING),
        Arguments.of("/v2/cache%2Fstatus", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/cache%2fstatus", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2%2Fcache", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/x%2F..%2Fcache", 404, NOT_THE_CACHE_API),
        Arguments.of("/V2/CACHE", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/CACHE", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/cache.json", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/cached_images", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/cached_images/img", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2/queued_images", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2.1/Queued_Images/img", 404, NOT_THE_CACHE_API),
        Arguments.of("/v2.099/cache", 300, "\"v2.18\""),
        Arguments.of("/v2/%zz/cache", 400, "invalid percent-encoding"),
        Arguments.of("/v2/cache%", 400, "invalid percent-encoding"),
        Arguments.of("/../v2/cache", 400, "above the root"),
        Arguments.of("/v2/../../v2/cache", 400, "above the root"),
        Arguments.of("/v2/cache#frag", 400, "fragment"));
  }

  @ParameterizedTest
  @MethodSource("spellings")
  void spellingIsAnsweredByImagecacheAndNeverReachesGlance(String target, int status,
      String body) throws Exception {
    RawHttp.Response response;
    try (RawHttp connection = server.connect()) {
      connection.sendGet(target, "X-Auth-Token: " + ADMIN_TOKEN);
      response = connection.read();
    }

    assertThat(response.status()).as(target).isEqualTo(status);
    assertThat(response.text()).as(target).contains(body).doesNotContain(ADMIN_TOKEN);
    assertThat(origin.requests()).as("requests the origin received for %s", target).isEmpty();
  }

  @Test
  void queueingThroughAnEncodedSpellingUsesTheCachesOwnCredentialOnly() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.send("PUT", "http://127.0.0.1/%76%32/./%63ache//img",
          "X-Auth-Token: " + ADMIN_TOKEN, "Content-Length: 0");
      assertThat(connection.read().status()).isEqualTo(202);
    }

    await().atMost(ServerHarness.WAIT).until(() -> server.cache().isCached(ImageId.of("img")));
    List<RecordedRequest> seen = origin.requests();
    assertThat(seen).as("the prefetch's requests").isNotEmpty();
    assertThat(seen).allSatisfy(request -> {
      assertThat(request.path()).startsWith("/v2/images/img");
      assertThat(request.headers().values()).flatMap(values -> values)
          .doesNotContain(ADMIN_TOKEN);
    });
  }

  @Test
  void otherPathsArePassedThroughInTheirNormalisedForm() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet("http://glance.example/V2.5/%69mages/./x/..//img?fields=id",
          "X-Auth-Token: reader");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.text()).contains("\"id\":\"img\"");
    }
    assertThat(origin.requests()).singleElement().satisfies(request -> {
      assertThat(request.path()).isEqualTo("/v2/images/img");
      assertThat(request.header("X-Auth-Token")).hasValue("reader");
    });
  }

  @Test
  void deleteOfAnImageWithAnInvalidEscapeIsAnswered400() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.send("DELETE", "/v2/images/%zz", "X-Auth-Token: owner");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.text()).contains("invalid percent-encoding");
    }
    assertThat(origin.requests()).isEmpty();
  }

  @Test
  void deleteOfAnImageWhoseEscapesAreNotAnIdIsPassedThroughAndAnsweredByGlance()
      throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.send("DELETE", "/v2/images/%C3%28", "X-Auth-Token: owner");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(404);
      // The next request on the same connection is answered too: nothing broke on the way.
      connection.sendGet("/healthz");
      assertThat(connection.read().status()).isEqualTo(200);
    }
    assertThat(origin.requests()).singleElement()
        .satisfies(request -> assertThat(request.method()).isEqualTo("DELETE"));
  }
}
