package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} in its own JVM reloads its config file on SIGHUP: a smaller max-size prunes the
 * cache at once, a new log-level and prefetch-workers apply, a setting that needs a restart is
 * named, a bad file is rejected, and the process stays up throughout.
 */
class SighupReloadTest {
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void sighupAppliesANewMaxSizeNamesWhatNeedsARestartAndRejectsABadFile() throws Exception {
    Path origin = Files.createDirectories(tmp.resolve("origin"));
    for (int i = 0; i < 3; i++) {
      byte[] image = new byte[MIB];
      new Random(i).nextBytes(image);
      Files.write(origin.resolve("img-" + i), image);
    }
    Path cacheDir = tmp.resolve("cache");
    Path config = Files.writeString(tmp.resolve("imagecache.yaml"), "max-size: 10MiB\n");
    try (ServeProcess serve = ServeProcess.start(tmp.resolve("serve.log"), Map.of(),
        "--config", config.toString(), "--cache-dir", cacheDir.toString(),
        "--origin", origin.toString(), "--admin-token", "reload-test", "--no-fsync")) {
      int port = serve.awaitPort();
      for (int i = 0; i < 3; i++) {
        assertThat(get(port, "/v2/images/img-" + i + "/file")).isEqualTo(200);
      }
      await().atMost(ServeProcess.WAIT).until(() -> cachedImages(cacheDir) == 3);

      Files.writeString(config, "max-size: 2MiB\nlow-water: 50\nstall-time: 1h\n");
      serve.hangUp();

      serve.awaitLine(Pattern.compile("SIGHUP: configuration reloaded; changed:"
          + " max-size 10\\.0 MiB -> 2\\.0 MiB, low-water 90% -> 50%$"));
      serve.awaitLine(Pattern.compile("SIGHUP: changed, but only a restart applies: stall-time$"));
      await().atMost(ServeProcess.WAIT).until(() -> cachedImages(cacheDir) == 1);
      assertThat(serve.isAlive()).isTrue();

      Files.writeString(config, "max-size: lots\n");
      serve.hangUp();

      serve.awaitLine(Pattern.compile("SIGHUP: configuration rejected, the running one stays:"
          + " invalid --max-size \"lots\" \\(from " + Pattern.quote(config.toString())
          + ", key max-size\\)"));
      assertThat(get(port, "/healthz")).isEqualTo(200);
      assertThat(serve.isAlive()).isTrue();
    }
  }

  @Test
  void sighupAppliesANewLogLevelAndPrefetchWorkers() throws Exception {
    Path origin = Files.createDirectories(tmp.resolve("origin"));
    Files.write(origin.resolve("img-0"), new byte[4096]);
    Path config = Files.writeString(tmp.resolve("imagecache.yaml"), "log-level: info\n");
    try (ServeProcess serve = ServeProcess.start(tmp.resolve("serve.log"), Map.of(),
        "--config", config.toString(), "--cache-dir", tmp.resolve("cache").toString(),
        "--origin", origin.toString(), "--admin-token", "reload-test", "--no-fsync")) {
      int port = serve.awaitPort();
      assertThat(get(port, "/v2/images/img-0/file")).isEqualTo(200);
      assertThat(serve.output()).doesNotContain("DEBUG");

      Files.writeString(config, "log-level: debug\nprefetch-workers: 4\n");
      serve.hangUp();

      serve.awaitLine(Pattern.compile("SIGHUP: configuration reloaded; changed:"
          + " prefetch-workers 2 -> 4, log-level info -> debug$"));
      serve.awaitLine(Pattern.compile("prefetch workers: 2 -> 4$"));
      assertThat(get(port, "/v2/images/img-0/file")).isEqualTo(200);
      serve.awaitLine(Pattern.compile("DEBUG .* GET image img-0$"));

      Files.writeString(config, "log-level: warn\n");
      serve.hangUp();

      serve.awaitLine(Pattern.compile("SIGHUP: configuration reloaded; changed:"
          + " prefetch-workers 4 -> 2, log-level debug -> warn$"));
      assertThat(serve.isAlive()).isTrue();
    }
  }

  private int get(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(ServeProcess.WAIT).build();
    return client.send(request, BodyHandlers.discarding()).statusCode();
  }

  private static long cachedImages(Path cacheDir) {
    return IntStream.range(0, 3)
        .filter(i -> Files.isRegularFile(cacheDir.resolve("img-" + i)))
        .count();
  }
}
