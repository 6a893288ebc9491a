package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} on the sqlite driver in a JVM whose {@code java.io.tmpdir} is a real tmpfs mounted
 * {@code noexec} (as on a hardened host): it unpacks SQLite's native library under the cache
 * directory instead, and serves a miss and a hit. Needs root for the mount; skipped otherwise.
 */
class SqliteNoexecTmpTest {
  @TempDir Path tmp;
  private Path noexec;
  private boolean mounted;

  @BeforeEach
  void mountNoexecTmpfs() throws Exception {
    noexec = Files.createDirectory(tmp.resolve("noexec-tmp"));
    mounted = run("mount", "-t", "tmpfs", "-o", "noexec,nosuid,nodev,size=64m", "tmpfs",
        noexec.toString()) == 0;
    assumeThat(mounted).as("mount -t tmpfs -o noexec (needs root)").isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      assertThat(run("umount", noexec.toString())).as("umount " + noexec).isZero();
    }
  }

  @Test
  void theSqliteDriverStartsAndServesWithANoexecTmpdir() throws Exception {
    Path origin = Files.createDirectory(tmp.resolve("origin"));
    byte[] image = new byte[200_000];
    new Random(3).nextBytes(image);
    Files.write(origin.resolve("img"), image);
    Path cacheDir = tmp.resolve("cache");

    try (ServeProcess serve = ServeProcess.start(tmp.resolve("serve.log"),
        List.of("-Djava.io.tmpdir=" + noexec), Map.of(), "--driver", "sqlite",
        "--origin", origin.toString(), "--cache-dir", cacheDir.toString())) {
      int port = serve.awaitPort();
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest get = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v2/images/img/file")).build();
      for (String round : List.of("miss", "hit")) {
        var response = client.send(get, BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(round + "\n" + serve.output()).isEqualTo(200);
        assertThat(response.body()).as(round).isEqualTo(image);
      }
      assertThat(Files.list(cacheDir.resolve(SqliteNativeDirectory.NAME)))
          .as("SQLite's native library, unpacked under the cache directory")
          .anyMatch(path -> path.getFileName().toString().contains("sqlitejdbc"));
      serve.terminate();
      assertThat(serve.awaitExit(ServeProcess.WAIT)).isZero();
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
