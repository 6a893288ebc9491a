package io.imagecache.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.OriginConfig;
import io.imagecache.server.ImageCacheServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's origin token from a real Keystone ({@link KeystoneProcess}, tokens valid 20 s)
 * with an application credential: an HTTP origin on 127.0.0.1 accepts a bearer token only when
 * Keystone validates it, and the cache keeps being served across token expiries (renewed before
 * them) and after its token was revoked (renewed once on the 401).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KeystoneOriginCredentialTest {
  private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(20);
  private static final byte[] IMAGE = new byte[64 * 1024];
  private static final String SECRET = "cache-app-secret";

  @TempDir
  static Path shared;
  private static KeystoneProcess keystone;
  private static String credentialId;

  @TempDir
  Path dir;
  private final Set<String> tokensSeen = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refusals = new AtomicInteger();
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private HttpServer origin;
  private ExecutorService originThreads;
  private KeystoneOriginCredential credential;
  private ImageCache cache;
  private ImageCacheServer server;
  private int images;

  @BeforeAll
  static void startKeystone() throws Exception {
    assumeTrue(KeystoneProcess.installed(),
        "Keystone is not installed (apt-get install python3-keystone; .ci/run does)");
    Arrays.fill(IMAGE, (byte) 'k');
    keystone = KeystoneProcess.start(
        Files.createDirectories(shared.resolve("keystone")), TOKEN_LIFETIME);
    credentialId = keystone.applicationCredential("imagecache", SECRET);
  }

  @AfterAll
  static void stopKeystone() {
    if (keystone != null) {
      keystone.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    originThreads = Executors.newFixedThreadPool(4);
    origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    origin.createContext("/images/", this::serve);
    origin.setExecutor(originThreads);
    origin.start();
    credential = new KeystoneOriginCredential(new KeystoneClient(keystone.url()),
        KeystoneLogin.applicationCredential(credentialId, SECRET), Clock.systemUTC());
    String template = "http://127.0.0.1:" + origin.getAddress().getPort() + "/images/{id}";
    cache = ImageCache.open(CacheConfig.builder(dir).durable(false).build(),
        Optional.of(new OriginConfig(template, Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofSeconds(30), Optional.empty()).withCredential(Optional.of(credential))));
    server = ImageCacheServer.start(cache,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "admin-token", 4);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (cache != null) {
      cache.close();
    }
    if (origin != null) {
      origin.stop(0);
      originThreads.shutdownNow();
    }
  }

  @Test
  void theTokenIsRenewedBeforeItExpires() throws Exception {
    assertThat(fetchNewImage()).isEqualTo(200);

    await().atMost(TOKEN_LIFETIME.multipliedBy(2)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          assertThat(fetchNewImage()).isEqualTo(200);
          return credential.tokensObtained() >= 2;
        });

    assertThat(tokensSeen).hasSizeGreaterThanOrEqualTo(2);
    assertThat(refusals).as("requests with a token Keystone no longer accepted").hasValue(0);
  }

  @Test
  void aRevokedTokenIsRenewedOnTheOriginsRefusal() throws Exception {
    assertThat(fetchNewImage()).isEqualTo(200);
    assertThat(tokensSeen).hasSize(1);
    keystone.revoke(tokensSeen.iterator().next());

    assertThat(fetchNewImage()).isEqualTo(200);

    assertThat(refusals).hasValue(1);
    assertThat(tokensSeen).hasSize(2);
    assertThat(credential.tokensObtained()).isEqualTo(2);
  }

  /** GETs an image the cache does not hold yet through the cache; returns the status. */
  private int fetchNewImage() throws Exception {
    String id = "image-" + images++;
    HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.address().getPort() + "/v2/images/" + id + "/file"))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 200) {
      assertThat(response.body()).isEqualTo(IMAGE);
    }
    return response.statusCode();
  }

  /** The origin: the image for a bearer token Keystone accepts, else 401. */
  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      String token = authorization != null && authorization.startsWith("Bearer ")
          ? authorization.substring("Bearer ".length()) : "";
      boolean accepted;
      try {
        accepted = !token.isEmpty() && keystone.accepts(token);
      } catch (Exception e) {
        throw new IOException(e);
      }
      if (!accepted) {
        refusals.incrementAndGet();
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      tokensSeen.add(token);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : IMAGE.length);
      if (!head) {
        try (OutputStream body = exchange.getResponseBody()) {
          body.write(IMAGE);
        }
      }
    }
  }
}
