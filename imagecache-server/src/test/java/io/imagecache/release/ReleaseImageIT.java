package io.imagecache.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image {@code jib:buildTar} wrote ({@code target/jib-image.tar}): its configuration read
 * from the tarball, then the image run without a container engine: its layers unpacked into a
 * root directory and its entrypoint started there under {@code chroot} as the image's user (in a
 * mount namespace of its own with /proc and /dev), with
 * a directory origin copied in, answering on 127.0.0.1. Skipped when the build left the image out
 * ({@code -Dimagecache.image.skip=true}); the run needs root (chroot), and is skipped without it.
 */
class ReleaseImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static JsonNode config;
  private static List<String> layers;

  @BeforeAll
  static void readImage() throws Exception {
    assumeThat(Boolean.getBoolean("imagecache.image.skip")).as("image left out of the build")
        .isFalse();
    Path image = Path.of(System.getProperty("imagecache.image.tar"));
    assertThat(image).isRegularFile();
    Path unpacked = Files.createDirectory(tmp.resolve("image"));
    assertThat(LoggedProcess.run(List.of("tar", "-xf", image.toString(), "-C", unpacked.toString()),
        tmp, Map.of("PATH", "/usr/bin:/bin"), tmp.resolve("tar.log"))).isZero();
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    config = JSON.readTree(unpacked.resolve(manifest.get("Config").asText()).toFile()).get("config");
    layers = new ArrayList<>();
    manifest.get("Layers").forEach(layer -> layers.add(unpacked.resolve(layer.asText()).toString()));
  }

  @Test
  void theImageRunsAsNonrootWithTheCacheVolumeAndPort9292OnAllAddresses() {
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    assertThat(config.get("ExposedPorts").has("9292/tcp")).as(config.toString()).isTrue();
    assertThat(config.get("Volumes").has("/var/lib/imagecache")).as(config.toString()).isTrue();
    assertThat(environment()).containsEntry("IMAGECACHE_LISTEN", "0.0.0.0:9292")
        .containsEntry("IMAGECACHE_CACHE_DIR", "/var/lib/imagecache")
        .containsEntry("MALLOC_ARENA_MAX", "2").containsEntry("MALLOC_MMAP_THRESHOLD_", "131072");
    assertThat(config.get("Labels").get("org.opencontainers.image.version").asText())
        .isEqualTo(System.getProperty("imagecache.version"));
    assertThat(strings(config.get("Cmd"))).containsExactly("serve");
  }

  @Test
  void theEntrypointStartsJavaWithTheLaunchersOptions() throws Exception {
    // bin/imagecache, run with a "java" that writes down its arguments instead of starting (the
    // last call is the server's; the class-data-sharing training run before it records nothing).
    Path fakeHome = Files.createDirectories(tmp.resolve("fake-java/bin"));
    Path recorded = tmp.resolve("java-args");
    Path fakeJava = fakeHome.resolve("java");
    Files.writeString(fakeJava, "#!/bin/bash\nprintf '%s\\n' \"$@\" > " + recorded + "\n");
    fakeJava.toFile().setExecutable(true);
    Path jar = Files.writeString(tmp.resolve("fake.jar"), "not a jar");
    Path launcher = Path.of("src/dist/bin/imagecache").toAbsolutePath();
    int status = LoggedProcess.run(List.of(launcher.toString(), "serve"), tmp,
        Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", fakeHome.getParent().toString(),
            "IMAGECACHE_JAR", jar.toString()), tmp.resolve("launcher.log"));
    assertThat(status).isZero();
    List<String> launched = Files.readAllLines(recorded);
    List<String> launcherOptions = launched.subList(0, launched.indexOf("-jar")).stream()
        .filter(option -> !option.startsWith("-XX:SharedArchiveFile") && !option.startsWith("-Xshare")
            && !option.startsWith("-Xlog:cds"))
        .toList();

    List<String> entrypoint = strings(config.get("Entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("/opt/java/bin/java");
    assertThat(entrypoint.subList(1, entrypoint.indexOf("-cp")))
        .as("the image's JVM options are the launcher's").isEqualTo(launcherOptions);
    assertThat(entrypoint).endsWith("io.imagecache.cli.Main");
  }

  @Test
  void theUnpackedImageServesAnImageAndIsReadyAsItsUserUnderChroot() throws Exception {
    assumeThat(Files.getAttribute(Path.of("/proc/self"), "unix:uid")).as("root, for chroot")
        .isEqualTo(0);
    Path root = Files.createDirectory(tmp.resolve("rootfs"));
    for (String layer : layers) {
      assertThat(LoggedProcess.run(List.of("tar", "-xpf", layer, "-C", root.toString()), tmp,
          Map.of("PATH", "/usr/bin:/bin"), tmp.resolve("layer.log")))
          .as(Files.readString(tmp.resolve("layer.log"))).isZero();
    }
    Path origin = Files.createDirectories(root.resolve("srv/origin"));
    byte[] image = new byte[250_000];
    new Random(9).nextBytes(image);
    Files.write(origin.resolve("demo"), image);

    // As a container engine would, in a mount namespace of the process's own (gone with it): the
    // root a mount point, so that /proc/self/mounts inside shows "/" (the free-space check asks
    // for the cache directory's file store); /proc (glibc finds the JRE's libjli.so through
    // $ORIGIN, which needs /proc/self/exe); /dev; the cache directory a volume of its own.
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("dev"));
    List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "/bin/sh", "-c",
        "mount --bind \"$0\" \"$0\" && mount -t proc proc \"$0/proc\""
            + " && mount --bind /dev \"$0/dev\""
            + " && mount --bind \"$0/var/lib/imagecache\" \"$0/var/lib/imagecache\""
            + " && exec /usr/sbin/chroot --userspec=65532:65532 \"$0\" \"$@\"",
        root.toString()));
    command.addAll(strings(config.get("Entrypoint")));
    command.addAll(strings(config.get("Cmd")));
    Map<String, String> environment = environment();
    // As `docker run -e`: loopback only here, and the origin copied into the image's root.
    environment.put("IMAGECACHE_LISTEN", "127.0.0.1:0");
    environment.put("IMAGECACHE_ORIGIN", "/srv/origin");
    try (LoggedProcess serve = LoggedProcess.start(command, tmp, environment,
        tmp.resolve("container.log"))) {
      int port = serve.awaitPort();
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v2/images/demo/file")).build(),
          BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as(serve.output()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(image);
      HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/readyz")).build(), BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(ready.body()).contains("\"status\":\"ready\"");

      Path cached = root.resolve("var/lib/imagecache/demo");
      try (var listing = Files.walk(root.resolve("var/lib/imagecache"))) {
        assertThat(cached).as(serve.output() + listing.toList()).isRegularFile();
      }
      assertThat(Files.getAttribute(cached, "unix:uid"))
          .as("the cached file's owner: the image's user").isEqualTo(65532);
      serve.terminate();
      assertThat(serve.awaitExit(LoggedProcess.WAIT)).as(serve.output()).isZero();
    }
  }

  /** The image's environment as a map. */
  private static Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>();
    for (String entry : strings(config.get("Env"))) {
      int equals = entry.indexOf('=');
      environment.put(entry.substring(0, equals), entry.substring(equals + 1));
    }
    return environment;
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(node -> strings.add(node.asText()));
    return strings;
  }
}
