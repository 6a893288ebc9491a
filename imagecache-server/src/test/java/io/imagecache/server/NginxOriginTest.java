package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imagecache.ImageId;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HTTP origin: Debian's nginx serving a directory ({@code .ci/run} installs
 * {@code nginx-light}; the tests are skipped only where no nginx binary exists). Bytes, one fetch
 * for many readers, ranges, HEAD and error statuses as nginx really sends them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxOriginTest {
  private static final int SIZE = 8 * MiB + 7;
  private static final byte[] IMAGE = TestImages.bytes(7, SIZE);
  private static final String[] IDS = {"hit", "shared", "ranged", "described"};

  @TempDir
  static Path shared;
  private static NginxProcess nginx;

  @TempDir
  Path tmp;
  private ServerHarness server;

  @BeforeAll
  static void startNginx() throws IOException {
    Optional<Path> binary = NginxProcess.binary();
    assumeTrue(binary.isPresent(), "nginx is not installed (apt-get install nginx-light)");
    Path images = Files.createDirectories(shared.resolve("www").resolve("images"));
    for (String id : IDS) {
      Files.write(images.resolve(id), IMAGE);
    }
    Path work = Files.createDirectories(shared.resolve("nginx"));
    nginx = NginxProcess.start(binary.get(), work, shared.resolve("www"));
  }

  @AfterAll
  static void stopNginx() {
    if (nginx != null) {
      nginx.close();
    }
  }

  @AfterEach
  void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private ServerHarness server(String dir) throws Exception {
    server = ServerHarness.start(tmp.resolve("cache"), nginx.template(dir));
    return server;
  }

  private long nginxRequests(String method, String id) throws IOException {
    String request = "\"" + method + " /images/" + id + " ";
    return nginx.accessLog().stream().filter(line -> line.contains(request)).count();
  }

  @Test
  void missAndHitServeNginxsBytesFetchedOnce() throws Exception {
    ServerHarness server = server("images");

    HttpResponse<byte[]> miss = server.get(file("hit"));
    HttpResponse<byte[]> hit = server.get(file("hit"));

    assertThat(miss.statusCode()).isEqualTo(200);
    assertThat(miss.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(miss.body()).isEqualTo(IMAGE);
    assertThat(hit.body()).isEqualTo(IMAGE);
    assertThat(hit.headers().firstValue("Content-MD5")).hasValue(TestImages.md5(IMAGE));
    assertThat(nginxRequests("GET", "hit")).isEqualTo(1);
  }

  @Test
  void concurrentColdRequestsFetchFromNginxOnce() throws Exception {
    ServerHarness server = server("images");
    List<CompletableFuture<HttpResponse<byte[]>>> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(server.client().sendAsync(server.request(file("shared")).build(),
          BodyHandlers.ofByteArray()));
    }

    for (CompletableFuture<HttpResponse<byte[]>> request : requests) {
      HttpResponse<byte[]> response = request.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(IMAGE);
    }
    assertThat(nginxRequests("GET", "shared")).isEqualTo(1);
  }

  @Test
  void rangesOfAnImageFromNginx() throws Exception {
    ServerHarness server = server("images");
    server.get(file("ranged"));

    HttpResponse<byte[]> suffix = server.get(file("ranged"), "Range", "bytes=-4096");
    HttpResponse<byte[]> open = server.get(file("ranged"), "Range", "bytes=" + (SIZE - 10) + "-");
    HttpResponse<byte[]> beyond = server.get(file("ranged"), "Range", "bytes=" + SIZE + "-");

    assertThat(suffix.statusCode()).isEqualTo(206);
    assertThat(suffix.body()).isEqualTo(TestImages.range(IMAGE, SIZE - 4096, SIZE - 1));
    assertThat(open.body()).isEqualTo(TestImages.range(IMAGE, SIZE - 10, SIZE - 1));
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + SIZE);
  }

  @Test
  void headOfAMissAsksNginxForHeadersOnly() throws Exception {
    ServerHarness server = server("images");

    HttpResponse<Void> head = server.head(file("described"));

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(SIZE));
    assertThat(nginxRequests("HEAD", "described")).isEqualTo(1);
    assertThat(nginxRequests("GET", "described")).isZero();
    assertThat(server.cache().isCached(ImageId.of("described"))).isFalse();
  }

  @Test
  void nginxStatusesAreAnsweredAsGlanceWould() throws Exception {
    server = server("images");
    HttpResponse<byte[]> missing = server.get(file("missing"));
    server.close();
    server = server("forbidden");
    HttpResponse<byte[]> forbidden = server.get(file("hit"));
    server.close();
    server = server("broken");
    HttpResponse<byte[]> broken = server.get(file("hit"));

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(broken.statusCode()).isEqualTo(502);
  }
}
