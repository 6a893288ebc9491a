package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ids and paths a client can send that must not become a file name: traversal with {@code ..},
 * encoded slashes and backslashes, NUL, overlong ids, reserved names, malformed escapes. Each is
 * answered 400 or 404, nothing outside the cache directory is read or written, and the connection
 * stays usable. The origin is a directory with a secret file next to it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadRequestTest {
  private static final String SECRET = "secret-bytes-outside-the-origin";
  private static final byte[] IMAGE = TestImages.bytes(5, 100_000);

  @TempDir
  Path tmp;
  private ServerHarness server;

  @BeforeEach
  void start() throws Exception {
    Path originDir = Files.createDirectories(tmp.resolve("origin"));
    Files.write(originDir.resolve("img"), IMAGE);
    Files.writeString(tmp.resolve("secret"), SECRET);
    Files.writeString(tmp.resolve("cache.db"), SECRET);
    server = ServerHarness.start(tmp.resolve("cache"), originDir.toString());
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  static Stream<String> badTargets() {
    return Stream.of(
        "/v2/images/../file",
        "/v2/images/./file",
        "/v2/images/%2e%2e/file",
        "/v2/images/%2E%2E/file",
        "/v2/images/..%2Fsecret/file",
        "/v2/images/..%2fsecret/file",
        "/v2/images/%2e%2e%2fsecret/file",
        "/v2/images/..%2F..%2Fsecret/file",
        "/v2/images/..%5Csecret/file",
        "/v2/images/%2Ftmp%2Fsecret/file",
        "/v2/images/img%00/file",
        "/v2/images/%00/file",
        "/v2/images/img%00..%2Fsecret/file",
        "/v2/images/" + "a".repeat(300) + "/file",
        "/v2/images//file",
        "/v2/images/%zz/file",
        "/v2/images/%/file",
        "/v2/images/img%20/file",
        "/v2/images/..%2Fcache.db/file",
        "/v2/images/cache.db/file",
        "/v2/images/incomplete/file",
        "/v2/images/imagecache.lock/file",
        "/v2/images/../../secret/file",
        "/v2/images/img/../../secret/file",
        "/v2.16/images/..%2Fsecret/file");
  }

  @ParameterizedTest
  @MethodSource("badTargets")
  void badImageIdIsRefusedWithoutTouchingAnyFile(String target) throws Exception {
    Set<Path> before = tree();
    try (RawHttp connection = server.connect()) {
      connection.sendGet(target);
      RawHttp.Response get = connection.read();
      connection.send("HEAD", target);
      RawHttp.Response head = connection.read(true);
      connection.sendGet(file("img"));
      RawHttp.Response good = connection.read();

      assertThat(get.status()).isIn(400, 404);
      assertThat(get.text()).doesNotContain(SECRET);
      assertThat(head.status()).isIn(400, 404);
      assertThat(good.status()).as("the next request on the connection").isEqualTo(200);
      assertThat(good.body()).isEqualTo(IMAGE);
    }
    Set<Path> added = tree();
    added.removeAll(before);
    assertThat(added).as("files created").containsOnly(tmp.resolve("cache").resolve("img"));
    assertThat(server.cache().cachedImages()).extracting(image -> image.imageId().value())
        .containsExactly("img");
    assertThat(Files.readString(tmp.resolve("secret"))).isEqualTo(SECRET);
    assertThat(Files.readString(tmp.resolve("cache.db"))).isEqualTo(SECRET);
  }

  @Test
  void refusalSaysWhatIsWrongWithTheId() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet("/v2/images/..%2Fsecret/file");
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.header("Content-Type")).hasValue("text/plain; charset=UTF-8");
      assertThat(response.text()).startsWith("invalid image id \"../secret\"");
    }
  }

  @Test
  void rawNulOrSpaceInTheRequestLineIsRefused() throws Exception {
    for (String target : List.of("/v2/images/img\0/file", "/v2/images/i mg/file")) {
      try (RawHttp connection = server.connect()) {
        connection.sendRaw(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(UTF_8));
        RawHttp.Response response = connection.read();

        assertThat(response.status()).as(target).isIn(400, 404);
      }
    }
    assertThat(server.cache().cachedImages()).isEmpty();
  }

  @Test
  void overlongRequestLineIsRefused() throws Exception {
    try (RawHttp connection = server.connect()) {
      String target = "/v2/images/" + "a".repeat(20_000) + "/file";
      connection.sendRaw(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(US_ASCII));
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isIn(400, 414);
    }
  }

  @Test
  void validIdThatTheOriginDoesNotHaveIs404() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("secret"));
      RawHttp.Response response = connection.read();

      assertThat(response.status()).isEqualTo(404);
      assertThat(response.text()).doesNotContain(SECRET);
    }
  }

  /** Every path under the test's temporary directory, the cache's own metadata files aside. */
  private Set<Path> tree() throws IOException {
    try (Stream<Path> paths = Files.walk(tmp)) {
      return paths
          .filter(path -> !path.getFileName().toString().startsWith("cache.db")
              || !path.getParent().equals(tmp.resolve("cache")))
          .collect(Collectors.toSet());
    }
  }
}
