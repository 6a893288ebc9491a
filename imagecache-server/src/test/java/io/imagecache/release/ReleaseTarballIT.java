package io.imagecache.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball, unpacked into a clean directory and run as an operator would: only
 * {@code java} on the PATH (no Maven, no repository), its launcher serving a directory origin,
 * stopped with SIGTERM; its example config, completion and man pages as generated.
 */
class ReleaseTarballIT {
  @TempDir static Path tmp;
  private static UnpackedRelease release;
  private static Map<String, String> environment;

  @BeforeAll
  static void unpack() throws Exception {
    release = UnpackedRelease.unpack(Files.createDirectory(tmp.resolve("unpacked")));
    environment = Map.of("PATH", UnpackedRelease.javaOnlyPath(tmp), "HOME", tmp.toString(),
        "TMPDIR", tmp.toString());
  }

  @Test
  void theLauncherServesAnImageWithOnlyJavaAndStopsWithSigtermExitingZero() throws Exception {
    assertThat(LoggedProcess.run(List.of("bash", "-c", "command -v mvn"), tmp, environment,
        tmp.resolve("which.log"))).as("mvn must not be on the test's PATH").isNotZero();
    Path origin = Files.createDirectory(tmp.resolve("origin"));
    byte[] image = new byte[300_000];
    new Random(5).nextBytes(image);
    Files.write(origin.resolve("demo"), image);
    Path workDir = Files.createDirectory(tmp.resolve("work"));

    try (LoggedProcess serve = LoggedProcess.start(List.of(release.launcher().toString(), "serve",
        "--origin", origin.toString(), "--listen", "127.0.0.1:0", "--cache-dir", "cache"),
        workDir, environment, tmp.resolve("serve.log"))) {
      int port = serve.awaitPort();
      HttpClient client = HttpClient.newHttpClient();
      for (String round : List.of("miss", "hit")) {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v2/images/demo/file")).build(),
            BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(round + "\n" + serve.output()).isEqualTo(200);
        assertThat(response.body()).as(round).isEqualTo(image);
      }
      HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/readyz")).build(), BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

      serve.terminate();
      assertThat(serve.awaitExit(LoggedProcess.WAIT)).as(serve.output()).isZero();
    }
    assertThat(workDir.resolve("cache/demo")).as("the relative cache directory").isRegularFile();
  }

  @Test
  void theExampleConfigWithEveryDefaultUncommentedResolvesToTheDefaults() throws Exception {
    Path shipped = release.home().resolve("etc/imagecache.yml");
    String uncommented = Files.readAllLines(shipped).stream()
        .filter(line -> line.matches("#[a-z-]+: .+"))
        .map(line -> line.substring(1))
        .collect(Collectors.joining("\n", "", "\n"));
    assertThat(uncommented).contains("max-size: 10GiB", "shutdown-grace: 30s", "listen: ");
    Path config = Files.writeString(tmp.resolve("defaults.yml"), uncommented);

    Path workDir = Files.createDirectories(tmp.resolve("config-work"));
    assertThat(run(workDir, "serve", "--check", "--config", config.toString()))
        .as(Files.readString(tmp.resolve("imagecache.log"))).isZero();
    assertThat(run(workDir, "config", "--config", config.toString())).isZero();
    List<String> fromFile = valuesOf(Files.readString(tmp.resolve("imagecache.log")));
    assertThat(run(workDir, "config")).isZero();
    List<String> defaults = valuesOf(Files.readString(tmp.resolve("imagecache.log")));
    assertThat(fromFile).as("the example's values are the defaults").isEqualTo(defaults);
  }

  @Test
  void theCompletionLoadsIntoBashAndTheManPagesCoverEveryCommand() throws Exception {
    Path completion = release.home().resolve("share/bash-completion/completions/imagecache");
    assertThat(LoggedProcess.run(List.of("bash", "-c",
        "source " + completion + " && complete -p imagecache"), tmp, environment,
        tmp.resolve("complete.log"))).as(Files.readString(tmp.resolve("complete.log"))).isZero();
    assertThat(Files.readString(tmp.resolve("complete.log"))).contains("imagecache");
    assertThat(Files.readString(completion)).contains("--shutdown-grace", "--check");

    Path man = release.home().resolve("share/doc/imagecache/man");
    assertThat(man.resolve("imagecache.adoc")).isRegularFile();
    assertThat(Files.readString(man.resolve("imagecache-serve.adoc")))
        .contains(":doctype: manpage", "*--max-size*", "*--shutdown-grace*");
    assertThat(man.resolve("imagecache-config.adoc")).isRegularFile();
  }

  private static int run(Path workDir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(release.launcher().toString()));
    command.addAll(List.of(args));
    return LoggedProcess.run(command, workDir, environment, tmp.resolve("imagecache.log"));
  }

  /** The VALUE column of {@code imagecache config} (cache-dir and admin-token differ by path). */
  private static List<String> valuesOf(String table) {
    return table.lines()
        .filter(line -> !line.startsWith("OPTION") && !line.startsWith("config ")
            && !line.startsWith("imagecache:"))
        .map(line -> line.split("\\s{2,}"))
        .filter(columns -> columns.length >= 2)
        .map(columns -> columns[0] + "=" + columns[1])
        .toList();
  }
}
