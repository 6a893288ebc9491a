package io.imagecache.server;

import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming only, no image ever held whole in memory: {@code imagecache serve} in a child JVM with
 * 256 MiB of heap and 64 MiB of direct memory serves a 1 GiB image twice (a miss, then a hit),
 * while the test reads each response into a digest, never into memory.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LargeImageMemoryTest {
  private static final long SIZE = 1L << 30;
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir
  Path tmp;
  private Process child;
  private Path originFile;

  @AfterEach
  void stopChild() throws Exception {
    if (child != null) {
      child.destroy();
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
    if (originFile != null) {
      Files.deleteIfExists(originFile);
    }
  }

  @Test
  void oneGibImageIsServedTwiceByAServerWith256MibOfHeap() throws Exception {
    Path originDir = Files.createDirectories(tmp.resolve("origin"));
    originFile = originDir.resolve("big");
    String md5 = writePatternFile(originFile, SIZE);
    Path log = tmp.resolve("serve.log");
    int port = freePort();
    child = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:MaxDirectMemorySize=64m",
            "-cp", System.getProperty("java.class.path"),
            "io.imagecache.cli.Main", "serve",
            "--cache-dir", tmp.resolve("cache").toString(),
            "--origin", originDir.toString(),
            "--listen", "127.0.0.1:" + port,
            "--admin-token", "memory-test",
            "--no-fsync"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI base = URI.create("http://127.0.0.1:" + port);
    awaitHealthy(client, base, log);

    Download miss = download(client, base.resolve("/v2/images/big/file"));
    Download hit = download(client, base.resolve("/v2/images/big/file"));

    assertThat(miss.status()).isEqualTo(200);
    assertThat(miss.length()).isEqualTo(SIZE);
    assertThat(miss.md5()).isEqualTo(md5);
    assertThat(hit.status()).isEqualTo(200);
    assertThat(hit.length()).isEqualTo(SIZE);
    assertThat(hit.md5()).isEqualTo(md5);
    assertThat(hit.contentMd5()).as("Content-MD5 of the hit").isEqualTo(md5);
    assertThat(child.isAlive()).as("server alive; its log:%n%s", Files.readString(log)).isTrue();
    assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    assertThat(Files.size(tmp.resolve("cache").resolve("big"))).isEqualTo(SIZE);
  }

  /** Writes {@code size} bytes of a deterministic pattern (1 MiB blocks, each numbered). */
  private static String writePatternFile(Path file, long size) throws IOException {
    MessageDigest md5 = TestImages.newMd5();
    byte[] block = TestImages.bytes(8, MiB);
    ByteBuffer buffer = ByteBuffer.wrap(block);
    try (FileChannel channel = FileChannel.open(file,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long index = 0; index * MiB < size; index++) {
        buffer.clear();
        buffer.putLong(0, index);
        buffer.limit((int) Math.min(MiB, size - index * MiB));
        md5.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  private void awaitHealthy(HttpClient client, URI base, Path log) {
    HttpRequest health = HttpRequest.newBuilder(base.resolve("/healthz"))
        .timeout(Duration.ofSeconds(2)).build();
    await().atMost(STARTUP).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!child.isAlive()) {
        throw new AssertionError("imagecache serve exited with " + child.exitValue() + ":\n"
            + Files.readString(log));
      }
      try {
        return client.send(health, BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** GETs {@code uri}, digesting the body as it streams in. */
  private static Download download(HttpClient client, URI uri) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).build();
    HttpResponse<InputStream> response = client.send(request, BodyHandlers.ofInputStream());
    MessageDigest md5 = TestImages.newMd5();
    long length = 0;
    byte[] buffer = new byte[MiB];
    try (InputStream body = response.body()) {
      for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
        md5.update(buffer, 0, n);
        length += n;
      }
    }
    return new Download(response.statusCode(), length, HexFormat.of().formatHex(md5.digest()),
        response.headers().firstValue("Content-MD5").orElse(""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** What a download received: status, byte count, MD5 of the bytes and the Content-MD5 header. */
  private record Download(int status, long length, String md5, String contentMd5) {}
}
