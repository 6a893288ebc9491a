package io.imagecache.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.server.ImageCacheServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Management calls judged by a real Keystone (see {@link KeystoneProcess}): a user's token with
 * the admin role is accepted, one without it is 403, an expired, revoked or unknown one 401, as
 * Glance answers; the static admin token keeps working, also when Keystone is down (then 503 for
 * Keystone tokens). The real glance CLI lists the cache with a Keystone token.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KeystoneAdminAuthTest {
  private static final String ADMIN_TOKEN = "static-admin-token";
  private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(20);
  private static final Path GLANCE = Path.of("/usr/bin/glance");

  @TempDir
  static Path dir;
  private static KeystoneProcess keystone;
  private static ImageCache cache;
  private static ImageCacheServer server;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(KeystoneProcess.installed(),
        "Keystone is not installed (apt-get install python3-keystone; .ci/run does)");
    keystone = KeystoneProcess.start(
        Files.createDirectories(dir.resolve("keystone")), TOKEN_LIFETIME);
    keystone.addUser("reader", "reader-pw", "member");
    cache = ImageCache.open(CacheConfig.builder(dir.resolve("cache")).durable(false).build());
    server = start(cache, keystone.url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (cache != null) {
      cache.close();
    }
    if (keystone != null) {
      keystone.close();
    }
  }

  @Test
  void aUserTokenWithTheAdminRoleIsAccepted() throws Exception {
    String token = keystone.token("admin", KeystoneProcess.ADMIN_PASSWORD);

    HttpResponse<String> response = get(server, token);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("cached_images");
  }

  @Test
  void aUserTokenWithoutTheRoleIsForbidden() throws Exception {
    String token = keystone.token("reader", "reader-pw");

    HttpResponse<String> response = get(server, token);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("does not carry the role admin");
  }

  @Test
  void unknownAndRevokedTokensAreUnauthorized() throws Exception {
    String revoked = keystone.token("admin", KeystoneProcess.ADMIN_PASSWORD);
    keystone.revoke(revoked);

    assertThat(get(server, revoked).statusCode()).isEqualTo(401);
    assertThat(get(server, "gAAAAABnot-a-real-token").statusCode()).isEqualTo(401);
    assertThat(get(server, null).statusCode()).isEqualTo(401);
  }

  @Test
  void anAcceptedTokenIsRefusedOnceItHasExpired() throws Exception {
    String token = keystone.token("admin", KeystoneProcess.ADMIN_PASSWORD);
    assertThat(get(server, token).statusCode()).isEqualTo(200);

    await().atMost(TOKEN_LIFETIME.plusSeconds(15)).pollInterval(Duration.ofSeconds(1))
        .until(() -> !keystone.accepts(token));

    assertThat(get(server, token).statusCode()).isEqualTo(401);
  }

  @Test
  void theStaticAdminTokenWorksWhileKeystoneIsUnreachable() throws Exception {
    String token = keystone.token("admin", KeystoneProcess.ADMIN_PASSWORD);
    ImageCacheServer orphan = start(cache, "http://127.0.0.1:" + closedPort() + "/v3");
    try {
      assertThat(get(orphan, ADMIN_TOKEN).statusCode()).isEqualTo(200);
      HttpResponse<String> response = get(orphan, token);
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).contains("Keystone cannot check");
    } finally {
      orphan.close();
    }
  }

  @Test
  void theGlanceCliListsTheCacheWithAKeystoneToken() throws Exception {
    assumeTrue(Files.isExecutable(GLANCE), "the glance CLI is not installed");
    String token = keystone.token("admin", KeystoneProcess.ADMIN_PASSWORD);

    List<String> command = new ArrayList<>(List.of(GLANCE.toString(),
        "--os-image-api-version", "2",
        "--os-image-url", "http://127.0.0.1:" + server.address().getPort(),
        "--os-auth-token", token, "cache-list"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    builder.environment().keySet().removeIf(name -> name.startsWith("OS_"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("ID").doesNotContain("403").doesNotContain("Forbidden");
  }

  private static ImageCacheServer start(ImageCache cache, String keystoneUrl) throws Exception {
    KeystoneRoleCheck check =
        new KeystoneRoleCheck(new KeystoneClient(keystoneUrl), "admin", Clock.systemUTC());
    return ImageCacheServer.builder(cache,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ADMIN_TOKEN)
        .keystone(Optional.of(check)).blockingThreads(4).start();
  }

  private HttpResponse<String> get(ImageCacheServer target, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + target.address().getPort() + "/v2/cache"))
        .timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      request.header("X-Auth-Token", token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
