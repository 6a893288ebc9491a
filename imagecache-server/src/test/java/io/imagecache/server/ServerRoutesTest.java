package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.KiB;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's fixed routes ({@code /healthz}, {@code /versions}, versioned image paths) and its
 * connection handling: several requests on one keep-alive connection, pipelining, bodies that
 * arrive after the response, {@code Connection: close}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerRoutesTest {
  private static final int SIZE = 256 * KiB + 5;
  private static final byte[] IMAGE = TestImages.bytes(4, SIZE);

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
    server = ServerHarness.start(tmp.resolve("cache"), origin.httpTemplate());
  }

  @AfterEach
  void stop() throws IOException {
    try {
      server.close();
    } finally {
      origin.close();
    }
  }

  // ---- fixed routes -----------------------------------------------------------------------------

  @Test
  void healthzAnswersOk() throws Exception {
    HttpResponse<byte[]> response = server.get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), US_ASCII)).isEqualTo("ok\n");
  }

  @Test
  void versionsListsV218AsCurrentAndTheCacheApiVersionV214() throws Exception {
    HttpResponse<byte[]> response = server.get("/versions");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode versions = new ObjectMapper().readTree(response.body()).get("versions");
    List<String> ids = new ArrayList<>();
    versions.forEach(version -> ids.add(version.get("id").asText()));
    assertThat(ids).contains("v2.18", "v2.14", "v2.0");
    assertThat(versions.get(0).get("id").asText()).isEqualTo("v2.18");
    assertThat(versions.get(0).get("status").asText()).isEqualTo("CURRENT");
    assertThat(versions.get(0).get("links").get(0).get("href").asText())
        .isEqualTo("http://127.0.0.1:" + server.port() + "/v2/");
  }

  @Test
  void versionedImagePathServesLikeV2() throws Exception {
    HttpResponse<byte[]> versioned = server.get("/v2.16/images/img/file");
    HttpResponse<byte[]> plain = server.get(file("img"), "Range", "bytes=0-9");

    assertThat(versioned.statusCode()).isEqualTo(200);
    assertThat(versioned.body()).isEqualTo(IMAGE);
    assertThat(plain.statusCode()).isEqualTo(206);
    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
  }

  @Test
  void unknownApiVersionIsAnsweredWithTheVersionsDocument() throws Exception {
    HttpResponse<byte[]> response = server.get("/v2.99/images/img/file");

    assertThat(response.statusCode()).isEqualTo(300);
    assertThat(new String(response.body(), US_ASCII)).contains("\"v2.18\"");
    assertThat(origin.requests()).isEmpty();
  }

  @Test
  void otherMethodsOnTheImageFileAnswer405WithAllow() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.send("DELETE", file("img"));
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(405);
      assertThat(response.header("Allow")).hasValue("GET, HEAD");
    }
  }

  @Test
  void unknownPathAnswers404() throws Exception {
    HttpResponse<byte[]> response = server.get("/v2/images/img/file/extra");

    assertThat(response.statusCode()).isEqualTo(404);
  }

  // ---- connections ------------------------------------------------------------------------------

  @Test
  void oneConnectionCarriesSeveralRequestsAlsoAfterA404() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"));
      RawHttp.Response miss = connection.read();
      connection.sendGet(file("missing"));
      RawHttp.Response notFound = connection.read();
      connection.sendGet(file("img"), "Range: bytes=10-19");
      RawHttp.Response range = connection.read();
      connection.send("HEAD", file("img"));
      RawHttp.Response head = connection.read(true);
      connection.sendGet("/healthz");
      RawHttp.Response health = connection.read();
      connection.sendGet(file("img"));
      RawHttp.Response hit = connection.read();

      assertThat(miss.status()).isEqualTo(200);
      assertThat(miss.body()).isEqualTo(IMAGE);
      assertThat(notFound.status()).isEqualTo(404);
      assertThat(range.status()).isEqualTo(206);
      assertThat(range.body()).isEqualTo(TestImages.range(IMAGE, 10, 19));
      assertThat(head.status()).isEqualTo(200);
      assertThat(health.text()).isEqualTo("ok\n");
      assertThat(hit.body()).isEqualTo(IMAGE);
      assertThat(List.of(miss, notFound, range, head, health, hit))
          .allSatisfy(response -> assertThat(response.header("Connection")).isNotEqualTo("close"));
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp connection = server.connect()) {
      String host = "Host: 127.0.0.1\r\n";
      connection.sendRaw(("GET " + file("img") + " HTTP/1.1\r\n" + host + "\r\n"
          + "GET " + file("missing") + " HTTP/1.1\r\n" + host + "\r\n"
          + "GET /healthz HTTP/1.1\r\n" + host + "\r\n"
          + "GET " + file("img") + " HTTP/1.1\r\n" + host + "Range: bytes=0-3\r\n\r\n")
          .getBytes(US_ASCII));

      RawHttp.Response image = connection.read();
      RawHttp.Response notFound = connection.read();
      RawHttp.Response health = connection.read();
      RawHttp.Response range = connection.read();

      assertThat(image.body()).isEqualTo(IMAGE);
      assertThat(notFound.status()).isEqualTo(404);
      assertThat(health.text()).isEqualTo("ok\n");
      assertThat(range.body()).isEqualTo(TestImages.range(IMAGE, 0, 3));
    }
  }

  @Test
  void requestBodyArrivingAfterTheResponseDoesNotStallTheConnection() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendRaw(("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n")
          .getBytes(US_ASCII));
      RawHttp.Response first = connection.read();
      connection.sendRaw("hello".getBytes(US_ASCII));
      connection.sendGet(file("img"), "Range: bytes=0-3");
      RawHttp.Response second = connection.read();

      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(206);
      assertThat(second.body()).isEqualTo(TestImages.range(IMAGE, 0, 3));
    }
  }

  @Test
  void connectionCloseIsHonouredAfterTheImage() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), "Connection: close");
      RawHttp.Response response = connection.read();

      assertThat(response.body()).isEqualTo(IMAGE);
      assertThat(response.header("Connection")).hasValue("close");
      assertThat(connection.isClosedByPeer()).isTrue();
    }
  }

  @Test
  void malformedRequestIsAnswered400AndTheConnectionClosed() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendRaw(
          "GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\nBad\r\n\r\n".getBytes(US_ASCII));
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(connection.isClosedByPeer()).isTrue();
    }
  }
}
