package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET|HEAD /v2/images/{id}/file} against a plain HTTP origin: bytes of misses and hits,
 * the headers (length, checksum, ETag), conditional requests, ranges on hits and during a fill,
 * images too large for the cache, and how origin failures reach the client.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImageDownloadTest {
  private static final int SIZE = 3 * MiB + 17;
  private static final byte[] IMAGE = TestImages.bytes(1, SIZE);
  private static final String MD5 = TestImages.md5(IMAGE);

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;

  @BeforeEach
  void startOrigin() throws IOException {
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      origin.close();
    }
  }

  private ServerHarness server() throws Exception {
    if (server == null) {
      server = ServerHarness.start(tmp.resolve("cache"), origin.httpTemplate());
    }
    return server;
  }

  private long originGets(String id) {
    return origin.requests("/images/" + id).stream().filter(r -> r.method().equals("GET")).count();
  }

  // ---- misses and hits ------------------------------------------------------------------------

  @Test
  void missAndHitBothServeTheOriginsBytes() throws Exception {
    HttpResponse<byte[]> miss = server().get(file("img"));
    HttpResponse<byte[]> hit = server().get(file("img"));

    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.body()).isEqualTo(IMAGE);
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.body()).isEqualTo(IMAGE);
    assertThat(originGets("img")).as("origin GETs").isEqualTo(1);
    assertThat(server().cache().isCached(ImageId.of("img"))).isTrue();
    assertThat(server().cache().hitCount(ImageId.of("img"))).isEqualTo(1);
  }

  @Test
  void aSymbolicLinkPlantedInTheCacheDirectory_isNeverServed() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "root:not-for-clients\n");
    ServerHarness server = server();
    Files.createSymbolicLink(server.dir().resolve("img"), secret);
    Files.createSymbolicLink(server.dir().resolve("nowhere"), secret);

    HttpResponse<byte[]> fromOrigin = server.get(file("img"));
    HttpResponse<byte[]> absent = server.get(file("nowhere"));

    assertThat(fromOrigin.statusCode()).isEqualTo(200);
    assertThat(fromOrigin.body()).isEqualTo(IMAGE);
    assertThat(originGets("img")).isEqualTo(1);
    assertThat(absent.statusCode()).isEqualTo(404);
    assertThat(new String(absent.body(), StandardCharsets.UTF_8)).doesNotContain("root:");
    assertThat(Files.readString(secret)).isEqualTo("root:not-for-clients\n");
  }

  @Test
  void repeatedHitsServeTheHeldFile_andADeleteMakesTheNextRequestFetchTheNewBytes()
      throws Exception {
    server().get(file("img"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<byte[]> hit = server().get(file("img"));
      assertThat(hit.body()).isEqualTo(IMAGE);
      assertThat(hit.headers().firstValue("Content-MD5")).hasValue(MD5);
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(server().openImageFiles())
        .as("held for the next hits")
        .containsExactly(server().dir().toAbsolutePath().resolve("img")));
    byte[] replacement = TestImages.bytes(2, 5000);
    origin.put("img", replacement);

    assertThat(server().cache().delete(ImageId.of("img"))).isTrue();
    HttpResponse<byte[]> miss = server().get(file("img"));
    HttpResponse<byte[]> hit = server().get(file("img"));

    assertThat(miss.body()).isEqualTo(replacement);
    assertThat(hit.body()).isEqualTo(replacement);
    assertThat(originGets("img")).isEqualTo(2);
    assertThat(server().cache().hitCount(ImageId.of("img"))).isEqualTo(1);
  }

  @Test
  void rangeOfAHeldFileIsServedFromIt() throws Exception {
    server().get(file("img"));
    server().get(file("img"));

    HttpResponse<byte[]> part = server().get(file("img"), "Range", "bytes=1000-1999");

    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(IMAGE, 1000, 2000));
    assertThat(server().cache().hitCount(ImageId.of("img"))).isEqualTo(2);
  }

  @Test
  void hitCarriesLengthChecksumEtagAndAcceptRanges() throws Exception {
    server().get(file("img"));

    HttpResponse<byte[]> hit = server().get(file("img"));

    assertThat(hit.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(hit.headers().firstValue("Content-MD5")).hasValue(MD5);
    assertThat(hit.headers().firstValue("ETag")).hasValue("\"" + MD5 + "\"");
    assertThat(hit.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(hit.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
  }

  @Test
  void missOfKnownSizeIsSentWithContentLengthAndTheOriginsChecksum() throws Exception {
    try (RawHttp connection = server().connect()) {
      connection.sendGet(file("img"));
      RawHttp.Response miss = connection.read();

      assertThat(miss.status()).isEqualTo(200);
      assertThat(miss.header("Content-Length")).hasValue(Integer.toString(SIZE));
      assertThat(miss.header("Transfer-Encoding")).isEmpty();
      assertThat(miss.header("Content-MD5")).hasValue(MD5);
      assertThat(miss.header("ETag")).hasValue("\"" + MD5 + "\"");
      assertThat(miss.complete()).isTrue();
      assertThat(miss.body()).isEqualTo(IMAGE);
    }
  }

  @Test
  void missWithoutContentLengthIsSentChunkedAndTheHitWithItsLength() throws Exception {
    origin.put("unsized", IMAGE).omitContentLength();
    try (RawHttp connection = server().connect()) {
      connection.sendGet(file("unsized"));
      RawHttp.Response miss = connection.read();
      connection.sendGet(file("unsized"));
      RawHttp.Response hit = connection.read();

      assertThat(miss.status()).isEqualTo(200);
      assertThat(miss.header("Content-Length")).isEmpty();
      assertThat(miss.header("Transfer-Encoding")).hasValue("chunked");
      assertThat(miss.complete()).as("last chunk received").isTrue();
      assertThat(miss.body()).isEqualTo(IMAGE);
      assertThat(hit.header("Content-Length")).hasValue(Integer.toString(SIZE));
      assertThat(hit.header("Content-MD5")).hasValue(MD5);
      assertThat(hit.body()).isEqualTo(IMAGE);
    }
    assertThat(originGets("unsized")).isEqualTo(1);
  }

  @Test
  void http10ClientGetsAnUnsizedMissDelimitedByTheConnectionsEnd() throws Exception {
    origin.put("unsized", IMAGE).omitContentLength();
    try (RawHttp connection = server().connect()) {
      connection.sendRaw(("GET " + file("unsized") + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response miss = connection.read();

      assertThat(miss.status()).isEqualTo(200);
      assertThat(miss.header("Transfer-Encoding")).isEmpty();
      assertThat(miss.header("Content-Length")).isEmpty();
      assertThat(miss.header("Connection")).hasValue("close");
      assertThat(miss.complete()).isTrue();
      assertThat(miss.body()).isEqualTo(IMAGE);
    }
  }

  @Test
  void http10ClientOfAnUnsizedMissThatFailsSeesAResetNotAnEnd() throws Exception {
    origin.put("unsized", IMAGE).omitContentLength().wrongMd5().wrongReprDigest();
    try (RawHttp connection = server().connect()) {
      connection.sendRaw(("GET " + file("unsized") + " HTTP/1.0\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response miss = connection.read();

      assertThat(miss.status()).isEqualTo(200);
      assertThat(miss.complete()).as("ended by a close rather than a reset").isFalse();
    }
    server().assertNotCached("unsized");
  }

  @Test
  void emptyImageIsServedAsAnEmptyBody() throws Exception {
    origin.put("empty", new byte[0]);

    HttpResponse<byte[]> miss = server().get(file("empty"));
    HttpResponse<byte[]> hit = server().get(file("empty"));

    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.body()).isEmpty();
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(server().cache().isCached(ImageId.of("empty"))).isTrue();
  }

  // ---- HEAD -----------------------------------------------------------------------------------

  @Test
  void headOfAHitDescribesTheImageWithoutABody() throws Exception {
    server().get(file("img"));
    try (RawHttp connection = server().connect()) {
      connection.send("HEAD", file("img"));
      RawHttp.Response head = connection.read(true);
      connection.sendGet("/healthz");
      RawHttp.Response next = connection.read();

      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Content-Length")).hasValue(Integer.toString(SIZE));
      assertThat(head.header("Content-MD5")).hasValue(MD5);
      assertThat(head.header("ETag")).hasValue("\"" + MD5 + "\"");
      assertThat(next.status()).as("the response after HEAD (no body bytes in between)")
          .isEqualTo(200);
      assertThat(next.text()).isEqualTo("ok\n");
    }
    assertThat(originGets("img")).isEqualTo(1);
  }

  @Test
  void headOfAMissAsksTheOriginButFetchesAndCachesNothing() throws Exception {
    HttpResponse<Void> head = server().head(file("img"));

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(head.headers().firstValue("Content-MD5")).hasValue(MD5);
    assertThat(originGets("img")).isZero();
    server().assertNotCached("img");
  }

  @Test
  void headOfAnUnknownImageAnswers404() throws Exception {
    HttpResponse<Void> head = server().head(file("nothing"));

    assertThat(head.statusCode()).isEqualTo(404);
  }

  // ---- conditional requests -------------------------------------------------------------------

  @Test
  void ifNoneMatchWithTheEtagAnswers304OnMissAndHit() throws Exception {
    String etag = "\"" + MD5 + "\"";
    HttpResponse<byte[]> onMiss = server().get(file("img"), "If-None-Match", etag);
    server().get(file("img"));
    HttpResponse<byte[]> onHit = server().get(file("img"), "If-None-Match", "\"other\", " + etag);
    HttpResponse<Void> onHead = server().head(file("img"), "If-None-Match", etag);

    Map<String, HttpResponse<?>> responses = Map.of("miss", onMiss, "hit", onHit, "head", onHead);
    responses.forEach((name, response) -> {
      assertThat(response.statusCode()).as(name).isEqualTo(304);
      assertThat(response.headers().firstValue("ETag")).as(name).hasValue(etag);
    });
    assertThat(onHit.body()).isEmpty();
  }

  @Test
  void ifNoneMatchWithAnotherEtagServesTheImage() throws Exception {
    HttpResponse<byte[]> response = server().get(file("img"), "If-None-Match", "\"0123\"");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(IMAGE);
  }

  // ---- ranges ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "bytes=0-99, 0, 99",
      "bytes=100-, 100, " + (SIZE - 1),
      "bytes=-500, " + (SIZE - 500) + ", " + (SIZE - 1),
      "bytes=1000-99999999, 1000, " + (SIZE - 1),
      "bytes=-99999999, 0, " + (SIZE - 1),
      "bytes=" + (SIZE - 1) + "-" + (SIZE - 1) + ", " + (SIZE - 1) + ", " + (SIZE - 1)})
  void rangeOfAHitIsAnsweredWith206(String range, long first, long last) throws Exception {
    server().get(file("img"));

    HttpResponse<byte[]> response = server().get(file("img"), "Range", range);

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.headers().firstValue("Content-Range"))
        .hasValue("bytes " + first + "-" + last + "/" + SIZE);
    assertThat(response.headers().firstValue("Content-Length"))
        .hasValue(Long.toString(last - first + 1));
    assertThat(response.headers().firstValue("ETag")).hasValue("\"" + MD5 + "\"");
    assertThat(response.headers().firstValue("Content-MD5")).as("MD5 of a part").isEmpty();
    assertThat(response.body()).isEqualTo(TestImages.range(IMAGE, first, last));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bytes=" + SIZE + "-", "bytes=" + (SIZE + 10) + "-" + (SIZE + 20), "bytes=-0"})
  void unsatisfiableRangeAnswers416WithTheSize(String range) throws Exception {
    server().get(file("img"));

    HttpResponse<byte[]> response = server().get(file("img"), "Range", range);

    assertThat(response.statusCode()).isEqualTo(416);
    assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */" + SIZE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-1,5-6", "items=0-5", "bytes=9-2", "bytes=x-"})
  void severalOrMalformedRangesGetTheWholeImage(String range) throws Exception {
    HttpResponse<byte[]> response = server().get(file("img"), "Range", range);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(IMAGE);
  }

  @Test
  void ifRangeWithAnotherEtagGetsTheWholeImageAndWithTheEtagTheRange() throws Exception {
    server().get(file("img"));

    HttpResponse<byte[]> stale =
        server().get(file("img"), "Range", "bytes=0-9", "If-Range", "\"0123\"");
    HttpResponse<byte[]> fresh =
        server().get(file("img"), "Range", "bytes=0-9", "If-Range", "\"" + MD5 + "\"");

    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(IMAGE);
    assertThat(fresh.statusCode()).isEqualTo(206);
    assertThat(fresh.body()).isEqualTo(TestImages.range(IMAGE, 0, 9));
  }

  @Test
  void rangesDuringAFillAreServedFromTheGrowingFile() throws Exception {
    Gate half = origin.image("img").pauseAfter(SIZE / 2);
    CompletableFuture<HttpResponse<InputStream>> first = server().client().sendAsync(
        server().request(file("img")).build(), BodyHandlers.ofInputStream());
    assertThat(half.awaitReached(WAIT)).isTrue();

    CompletableFuture<HttpResponse<byte[]>> written = server().client().sendAsync(
        server().request(file("img")).header("Range", "bytes=100-199").build(),
        BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> notYetWritten = server().client().sendAsync(
        server().request(file("img")).header("Range", "bytes=-1000").build(),
        BodyHandlers.ofByteArray());
    half.release();

    HttpResponse<byte[]> head = written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    HttpResponse<byte[]> tail = notYetWritten.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(head.statusCode()).isEqualTo(206);
    assertThat(head.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + SIZE);
    assertThat(head.body()).isEqualTo(TestImages.range(IMAGE, 100, 199));
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(TestImages.range(IMAGE, SIZE - 1000, SIZE - 1));
    try (InputStream body = first.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()) {
      assertThat(body.readAllBytes()).isEqualTo(IMAGE);
    }
    assertThat(originGets("img")).isEqualTo(1);
  }

  // ---- images larger than the cache -----------------------------------------------------------

  private ServerHarness smallCache() throws Exception {
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).maxSize(MiB).build(),
        Optional.of(origin.httpTemplate()));
    return server;
  }

  @Test
  void imageLargerThanTheCacheIsStreamedThroughAndNotCached() throws Exception {
    ServerHarness small = smallCache();

    HttpResponse<byte[]> first = small.get(file("img"));
    long getsAfterFirst = originGets("img");
    HttpResponse<byte[]> second = small.get(file("img"));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(first.headers().firstValue("Content-MD5")).hasValue(MD5);
    assertThat(first.body()).isEqualTo(IMAGE);
    assertThat(second.body()).isEqualTo(IMAGE);
    assertThat(originGets("img")).as("every request fetches again").isGreaterThan(getsAfterFirst);
    small.assertNotCached("img");
  }

  @Test
  void imageLargerThanTheCacheWithAWrongChecksumBreaksTheConnection() throws Exception {
    origin.image("img").wrongMd5().wrongReprDigest();
    ServerHarness small = smallCache();

    assertThatThrownBy(() -> small.get(file("img"))).isInstanceOf(IOException.class);
    try (RawHttp connection = small.connect()) {
      connection.sendGet(file("img"));
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.complete()).as("body complete").isFalse();
      assertThat(response.body().length).isLessThan(SIZE);
    }
    small.assertNotCached("img");
  }

  @Test
  void rangeOfAnImageLargerThanTheCacheIsAnsweredWithTheWholeImage() throws Exception {
    ServerHarness small = smallCache();

    HttpResponse<byte[]> response = small.get(file("img"), "Range", "bytes=100-199");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("none");
    assertThat(response.body()).isEqualTo(IMAGE);
    small.assertNotCached("img");
  }

  @Test
  void passThroughReaderThatDisconnectsReleasesTheOriginsBody() throws Exception {
    Path originDir = Files.createDirectories(tmp.resolve("origin"));
    Path large = originDir.resolve("large");
    Files.write(large, TestImages.bytes(9, 48 * MiB));
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).maxSize(MiB).build(),
        Optional.of(originDir.toString()));
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("large"));
      assertThat(connection.readHead().status()).isEqualTo(200);
      assertThat(connection.readSome(64 * 1024)).hasSize(64 * 1024);
      assertThat(openFiles(large)).as("origin file open while streaming").isNotEmpty();
    }

    await().atMost(WAIT).until(() -> openFiles(large).isEmpty());
    server.assertNotCached("large");
  }

  /** This process's file descriptors open on {@code file}. */
  private static List<Path> openFiles(Path file) throws IOException {
    List<Path> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).equals(file.toRealPath())) {
            open.add(fd);
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return open;
  }

  // ---- origin failures ------------------------------------------------------------------------

  @ParameterizedTest(name = "origin {0} -> {1}")
  @CsvSource({"404, 404", "410, 404", "401, 401", "403, 403", "500, 502", "503, 502", "418, 502"})
  void originStatusIsAnsweredAsGlanceWould(int originStatus, int expected) throws Exception {
    origin.image("img").status(originStatus);

    HttpResponse<byte[]> get = server().get(file("img"));
    HttpResponse<Void> head = server().head(file("img"));

    assertThat(get.statusCode()).isEqualTo(expected);
    assertThat(get.headers().firstValue("Content-Type")).hasValue("text/plain; charset=UTF-8");
    assertThat(head.statusCode()).isEqualTo(expected);
    server().assertNotCached("img");
  }

  @Test
  void unknownImageAnswers404() throws Exception {
    HttpResponse<byte[]> response = server().get(file("missing"));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .contains("missing");
  }

  @Test
  void unreachableOriginAnswers502() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    server = ServerHarness.start(tmp.resolve("cache"), "http://127.0.0.1:" + closedPort + "/{id}");

    HttpResponse<byte[]> get = server.get(file("img"));
    HttpResponse<Void> head = server.head(file("img"));

    assertThat(get.statusCode()).isEqualTo(502);
    assertThat(head.statusCode()).isEqualTo(502);
    server.assertNotCached("img");
  }
}
