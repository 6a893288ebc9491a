package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in its own JVM, stopped by SIGTERM while a download is held at the origin: it
 * stops accepting connections, lets the download finish within the shutdown grace and exits 0;
 * a second SIGTERM ends it at once.
 */
class DrainOnSigtermTest {
  private static final int SIZE = 3 << 20;
  private static final byte[] IMAGE = new byte[SIZE];
  private static final Pattern DRAINING = Pattern.compile("stopped accepting connections");

  static {
    new Random(13).nextBytes(IMAGE);
  }

  @TempDir Path tmp;
  private TestOrigin origin;
  private Gate paused;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void startOrigin() throws IOException {
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
    paused = origin.image("img").pauseAfter(SIZE / 3);
  }

  @AfterEach
  void stopOrigin() {
    paused.release();
    origin.close();
  }

  @Test
  void aDownloadInFlightFinishesNewConnectionsAreRefusedAndServeExitsZero() throws Exception {
    try (ServeProcess serve = serve(Map.of("IMAGECACHE_SHUTDOWN_GRACE", "2m"))) {
      int port = serve.awaitPort();
      HttpResponse<InputStream> download = startDownload(port);

      serve.terminate();
      serve.awaitLine(DRAINING);

      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(ConnectException.class);
      assertThat(serve.isAlive()).isTrue();
      paused.release();
      byte[] body;
      try (InputStream in = download.body()) {
        body = in.readAllBytes();
      }
      assertThat(body.length).isEqualTo(SIZE);
      assertThat(Arrays.equals(body, IMAGE)).as("the bytes of the image").isTrue();
      assertThat(serve.awaitExit(ServeProcess.WAIT)).as(serve.output()).isZero();
      assertThat(serve.output()).contains("SIGTERM: stopping").contains("stopped");
    }
  }

  @Test
  void aSecondSigtermDuringTheGraceEndsServeAtOnce() throws Exception {
    try (ServeProcess serve = serve(Map.of(), "--shutdown-grace", "10m")) {
      HttpResponse<InputStream> download = startDownload(serve.awaitPort());

      serve.terminate();
      serve.awaitLine(DRAINING);
      serve.terminate();

      assertThat(serve.awaitExit(Duration.ofSeconds(20))).as(serve.output()).isEqualTo(143);
      assertThat(serve.output()).contains("SIGTERM again: exiting at once");
      assertThatThrownBy(() -> download.body().readAllBytes()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void whenTheGraceRunsOutTheDownloadIsCutAndServeStillExitsZero() throws Exception {
    try (ServeProcess serve = serve(Map.of(), "--shutdown-grace", "1s")) {
      HttpResponse<InputStream> download = startDownload(serve.awaitPort());
      long stopAt = System.nanoTime();

      serve.terminate();

      assertThat(serve.awaitExit(ServeProcess.WAIT)).as(serve.output()).isZero();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt)).isGreaterThan(1000);
      assertThat(serve.output())
          .contains("1 connection(s) still answering a request after 1s: closing them");
      assertThatThrownBy(() -> download.body().readAllBytes()).isInstanceOf(IOException.class);
    }
  }

  private ServeProcess serve(Map<String, String> environment, String... moreArgs)
      throws IOException {
    String[] args = {"--cache-dir", tmp.resolve("cache").toString(),
        "--origin", origin.httpTemplate(), "--admin-token", "drain-test", "--no-fsync"};
    String[] all = Arrays.copyOf(args, args.length + moreArgs.length);
    System.arraycopy(moreArgs, 0, all, args.length, moreArgs.length);
    return ServeProcess.start(tmp.resolve("serve.log"), environment, all);
  }

  /** A GET of the image whose response has begun and whose origin is held at the gate. */
  private HttpResponse<InputStream> startDownload(int port) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v2/images/img/file")).build();
    var response = client.sendAsync(request, BodyHandlers.ofInputStream());
    assertThat(paused.awaitReached(ServeProcess.WAIT)).as("origin reached the pause").isTrue();
    HttpResponse<InputStream> started =
        response.get(ServeProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(started.statusCode()).isEqualTo(200);
    return started;
  }
}
