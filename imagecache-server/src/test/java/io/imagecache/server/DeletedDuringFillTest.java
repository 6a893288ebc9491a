package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.KiB;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers of a fill that an admin delete cancels or that fails at once, over real HTTP: one still
 * waiting for its answer is served by a new fill (never a 502 blaming the origin); one already
 * streaming has its connection closed; none gets a 500 or a server path. Each race is pinned by a
 * gate in the test origin.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeletedDuringFillTest {
  private static final int SIZE = 2 * MiB + 5;
  private static final byte[] IMAGE = TestImages.bytes(9, SIZE);
  private static final ImageId ID = ImageId.of("img");

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;
  private AdminApi admin;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
    server = ServerHarness.start(tmp.resolve("cache"), origin.httpTemplate());
    admin = new AdminApi(server);
  }

  @AfterEach
  void stop() throws IOException {
    try {
      server.close();
    } finally {
      origin.close();
    }
  }

  @ParameterizedTest(name = "DELETE {0}")
  @ValueSource(strings = {"/v2/cache/img", "/v2/cache"})
  void aReaderWaitingForAFillThatADeleteCancels_getsTheImageFromANewFill(String delete)
      throws Exception {
    Gate headers = origin.image("img").holdHeaders();
    CompletableFuture<HttpResponse<byte[]>> waiting = server.client().sendAsync(
        server.request(file("img")).GET().build(), BodyHandlers.ofByteArray());
    assertThat(headers.awaitReached(WAIT)).isTrue();

    assertThat(admin.send("DELETE", delete).statusCode()).isEqualTo(204);
    headers.release();

    HttpResponse<byte[]> answered = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(answered.statusCode())
        .as("%s", new String(answered.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(answered.body()).isEqualTo(IMAGE);
  }

  @Test
  void readersJoiningAFillThatFailsAtOnce_getTheOriginsFailure_neverAnInternalErrorOrAPath()
      throws Exception {
    Gate headers = origin.image("img").holdHeaders();
    origin.image("img").truncateAfter(0);
    List<CompletableFuture<HttpResponse<byte[]>>> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      readers.add(server.client().sendAsync(
          server.request(file("img")).GET().build(), BodyHandlers.ofByteArray()));
    }
    assertThat(headers.awaitReached(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> server.cache().activeFills().size() == 1);
    headers.release();

    for (CompletableFuture<HttpResponse<byte[]>> reader : readers) {
      HttpResponse<byte[]> answer;
      try {
        answer = reader.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // The 200 head went out before the fill failed: the body is cut off.
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        continue;
      }
      String body = new String(answer.body(), StandardCharsets.UTF_8);
      assertThat(answer.statusCode()).as(body).isEqualTo(502);
      // The origin may be named (scheme, host and port: "origin http://127.0.0.1:…"), no file.
      assertThat(body).doesNotContain(server.dir().toString())
          .doesNotContain(System.getProperty("java.io.tmpdir"));
    }
    assertThat(server.cache().isCached(ID)).isFalse();
  }

  @Test
  void aReaderAlreadyStreamingACancelledFill_hasItsConnectionClosed() throws Exception {
    Gate paused = origin.image("img").pauseAfter(SIZE / 2);
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"));
      assertThat(connection.readHead().status()).isEqualTo(200);
      assertThat(connection.readSome(64 * KiB)).hasSize(64 * KiB);
      assertThat(paused.awaitReached(WAIT)).isTrue();

      assertThat(admin.send("DELETE", "/v2/cache/img").statusCode()).isEqualTo(204);
      paused.release();

      byte[] rest = connection.readSome(SIZE);
      assertThat(rest.length).isLessThan(SIZE - 64 * KiB);
      assertThat(connection.isClosedByPeer()).isTrue();
    }
    assertThat(server.cache().isCached(ID)).isFalse();
  }
}
