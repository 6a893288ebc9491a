package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code glance} CLI (Debian's python3-glanceclient 4.1.0, installed by {@code .ci/run})
 * against a live imagecache server: {@code cache-list}, {@code cache-queue}, {@code cache-delete}
 * and {@code cache-clear} work unchanged, as they do against Glance itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GlanceCliCompatibilityTest {
  private static final Path GLANCE = Path.of("/usr/bin/glance");
  private static final String ID_A = "77ccf3ea-d629-4c55-932f-3672ae54842f";
  private static final String ID_B = "fbea4e44-f2cd-4323-a743-cf6020cf5316";
  private static final String UNKNOWN = "00000000-1111-2222-3333-444444444444";
  private static final String TOKEN = "admin-secret";

  @TempDir Path dir;
  private TestOrigin origin;
  private ImageCache cache;
  private ImageCacheServer server;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(GLANCE),
        "the glance CLI is not installed (apt-get install python3-glanceclient; .ci/run does)");
    origin = TestOrigin.start();
    origin.put(ID_A, "image A bytes".getBytes(StandardCharsets.UTF_8));
    origin.put(ID_B, "image B, a little longer".getBytes(StandardCharsets.UTF_8));
    cache = ImageCache.open(CacheConfig.defaults(dir.resolve("cache")),
        Optional.of(OriginConfig.of(origin.glanceSpec())));
    server = ImageCacheServer.start(cache, new InetSocketAddress("127.0.0.1", 0), TOKEN, 4);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (cache != null) {
      cache.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void cacheQueueListDeleteAndClearWorkUnchanged() throws Exception {
    assertThat(glance("cache-list").output()).contains("ID").doesNotContain(ID_A);

    Result queued = glance("cache-queue", ID_A);
    assertThat(queued.exitCode()).isZero();
    assertThat(queued.output()).doesNotContain("Unable");
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.isCached(ImageId.of(ID_A)));

    String listing = glance("cache-list").output();
    assertThat(listing).contains(ID_A).contains("cached");

    assertThat(glance("cache-delete", ID_A).output()).doesNotContain("Unable");
    assertThat(cache.isCached(ImageId.of(ID_A))).isFalse();

    glance("cache-queue", ID_B);
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.isCached(ImageId.of(ID_B)));
    assertThat(glance("cache-clear").output()).doesNotContain("Unable");
    assertThat(cache.cachedImages()).isEmpty();
  }

  @Test
  void errorsAreReportedTheWayGlanceReportsThem() throws Exception {
    Result result = glance("cache-queue", UNKNOWN);
    assertThat(result.output()).contains("404").contains("Unable to queue image");

    Result delete = glance("cache-delete", UNKNOWN);
    assertThat(delete.output()).contains("404");
  }

  @Test
  void clearTargetsQueueOrCacheAlone() throws Exception {
    glance("cache-queue", ID_A);
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.isCached(ImageId.of(ID_A)));
    assertThat(glance("cache-clear", "--target", "queue").exitCode()).isZero();
    assertThat(cache.isCached(ImageId.of(ID_A))).isTrue();
    assertThat(glance("cache-clear", "--target", "cache").exitCode()).isZero();
    assertThat(cache.isCached(ImageId.of(ID_A))).isFalse();
  }

  private record Result(int exitCode, String output) {}

  /** Runs the glance CLI with the flags that work without Keystone (spec glance-real-zed §6). */
  private Result glance(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(GLANCE.toString(),
        "--os-image-api-version", "2",
        "--os-image-url", "http://127.0.0.1:" + server.address().getPort(),
        "--os-auth-token", TOKEN));
    command.addAll(List.of(args));
    Path home = Files.createDirectories(dir.resolve("home"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("HOME", home.toString());
    builder.environment().keySet().removeIf(name -> name.startsWith("OS_"));
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
