package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.server.TestCa;
import io.imagecache.testing.TestOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in its own JVM meeting run-time failures: each is one line with the real cause,
 * no stack trace (those are for bugs, and DEBUG).
 */
class ServeRuntimeFailuresTest {
  private static final String TOKEN = "runtime-failures-token";

  @TempDir Path temp;

  @Test
  void aPortInUseExitsWith1NamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServeProcess serve = ServeProcess.startOn("127.0.0.1:" + taken.getLocalPort(),
            temp.resolve("serve.log"), Map.of(), "--cache-dir", temp.resolve("cache").toString(),
            "--admin-token", TOKEN)) {

      int exit = serve.awaitExit(ServeProcess.WAIT);

      assertThat(exit).isEqualTo(1);
      assertThat(serve.output().lines().filter(line -> line.startsWith("imagecache")))
          .containsExactly("imagecache serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
              + ": address already in use");
      assertThat(serve.output()).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  @Test
  void aTlsPortInUseExitsWith1NamingTheTlsAddress() throws Exception {
    TestCa.Issued issued = TestCa.create(temp.resolve("ca"), "in-use").issue("in-use");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"), Map.of(),
            "--cache-dir", temp.resolve("cache").toString(), "--admin-token", TOKEN,
            "--tls-listen", "127.0.0.1:" + taken.getLocalPort(),
            "--tls-cert", issued.certificate().toString(),
            "--tls-key", issued.key().toString())) {

      int exit = serve.awaitExit(ServeProcess.WAIT);

      assertThat(exit).isEqualTo(1);
      assertThat(serve.output().lines().filter(line -> line.startsWith("imagecache")))
          .containsExactly("imagecache serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
              + ": address already in use");
      assertThat(serve.output()).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  @Test
  void anOriginDownDuringAPrefetchRequestIsOneWarnLineWithTheIdAndTheCause() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"), Map.of(),
        "--cache-dir", temp.resolve("cache").toString(), "--admin-token", TOKEN,
        "--origin", "http://127.0.0.1:" + closedPort + "/images/{id}")) {
      int port = serve.awaitPort();

      int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v2/cache/img-down"))
          .header("X-Auth-Token", TOKEN).PUT(HttpRequest.BodyPublishers.noBody()).build(),
          BodyHandlers.discarding()).statusCode();

      assertThat(status).isEqualTo(502);
      serve.awaitLine(Pattern.compile("PUT /v2/cache/img-down failed"));
      assertThat(serve.output().lines().filter(line -> line.contains(" WARN ")))
          .singleElement().asString()
          .endsWith("PUT /v2/cache/img-down failed (502): could not connect to origin"
              + " http://127.0.0.1:" + closedPort + ": connection refused");
      assertThat(serve.output()).doesNotContain("\tat ").doesNotContain("Caused by");
      serve.terminate();
      assertThat(serve.awaitExit(ServeProcess.WAIT)).isZero();
    }
  }


  @Test
  void aMissForAnImageTheOriginLacksIsA404AndNoWarning() throws Exception {
    Path origin = Files.createDirectories(temp.resolve("origin"));
    try (ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"), Map.of(),
        "--cache-dir", temp.resolve("cache").toString(), "--admin-token", TOKEN,
        "--origin", origin.toString())) {
      int port = serve.awaitPort();

      int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v2/images/absent/file")).build(),
          BodyHandlers.discarding()).statusCode();

      assertThat(status).isEqualTo(404);
      serve.awaitLine(Pattern.compile("fill of absent not started"));
      assertThat(serve.output().lines().filter(line -> line.contains(" WARN "))).isEmpty();
      serve.terminate();
      assertThat(serve.awaitExit(ServeProcess.WAIT)).isZero();
    }
  }

  @Test
  void aPrefetchTheOriginCutsShortGivesUpInOneWarnLineWithoutAStackTrace() throws Exception {
    try (TestOrigin origin = TestOrigin.start()) {
      origin.put("img-cut", new byte[64 * 1024]).truncateAfter(1000);
      try (ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"), Map.of(),
          "--cache-dir", temp.resolve("cache").toString(), "--admin-token", TOKEN,
          "--origin", origin.httpTemplate(), "--prefetch-attempts", "1")) {
        int port = serve.awaitPort();

        int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v2/cache/img-cut"))
            .header("X-Auth-Token", TOKEN).PUT(HttpRequest.BodyPublishers.noBody()).build(),
            BodyHandlers.discarding()).statusCode();

        assertThat(status).isEqualTo(202);
        serve.awaitLine(Pattern.compile("prefetch of img-cut failed \\(attempt 1 of 1\\),"
            + " giving up: .*1000 of 65536 bytes"));
        assertThat(serve.output()).doesNotContain("\tat ").doesNotContain("Caused by");
        serve.terminate();
        assertThat(serve.awaitExit(ServeProcess.WAIT)).isZero();
      }
    }
  }
}
