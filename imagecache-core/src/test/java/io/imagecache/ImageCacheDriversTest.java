package io.imagecache;

import static io.imagecache.CacheHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.internal.store.CacheReader;
import io.imagecache.testing.TestPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageCache#open} builds and opens each driver, and fails cleanly when it cannot. */
class ImageCacheDriversTest {
  private static final ImageId ID = ImageId.of("wired");
  private static final String NODE = "http://node-1:9292";
  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir Path dir;
  private final CacheHarness harness = new CacheHarness();
  private final byte[] content = CacheHarness.randomBytes(3, 256 * 1024);

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void theXattrDriverCachesAndServes() throws Exception {
    ImageCache cache = harness.open(CacheHarness.config(dir).driver(DriverKind.XATTR).build());

    cacheAndRead(cache);

    assertThat(cache.tracksNodes()).isFalse();
    cache.close();
    ImageCache reopened = harness.open(CacheHarness.config(dir).driver(DriverKind.XATTR).build());
    assertThat(reopened.hitCount(ID)).isEqualTo(1);
  }

  @Test
  void thePostgresDriverCachesServesAndKnowsTheNode() throws Exception {
    String url = POSTGRES.jdbcUrl();
    ImageCache cache = harness.open(CacheHarness.config(dir)
        .driver(DriverKind.POSTGRES).dbUrl(url).nodeUrl(NODE).build());

    cacheAndRead(cache);

    assertThat(cache.tracksNodes()).isTrue();
    assertThat(cache.cachedNodes(ID)).containsExactly(NODE);
  }

  @Test
  void anUnreachableDatabaseIsABadConfigurationAndLeavesTheDirectoryFree() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    CacheConfig config = CacheHarness.config(dir).driver(DriverKind.POSTGRES)
        .dbUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/cache?user=cache")
        .nodeUrl(NODE).build();

    assertThatThrownBy(() -> harness.open(config))
        .isInstanceOf(BadCacheConfigurationException.class)
        .hasMessageStartingWith("driver postgres cannot use " + dir + ": ")
        .hasMessageContaining("127.0.0.1:" + closedPort);

    try (ImageCache sqlite = harness.open(dir)) {
      assertThat(sqlite.cachedImages()).isEmpty();
    }
  }

  @Test
  void aDirectoryLayoutThatCannotBeCreatedIsABadConfiguration() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("incomplete"), "not a directory");

    assertThatThrownBy(() -> harness.open(dir))
        .isInstanceOf(BadCacheConfigurationException.class)
        .hasMessageStartingWith("driver sqlite cannot use " + dir + ": ");

    Files.delete(dir.resolve("incomplete"));
    try (ImageCache cache = harness.open(dir)) {
      cacheAndRead(cache);
    }
  }

  private void cacheAndRead(ImageCache cache) throws Exception {
    CachedImage image = cache.fill(ID, ScriptedSource.of(content))
        .completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(image.size()).isEqualTo(content.length);
    try (CacheReader reader = cache.openCached(ID).orElseThrow()) {
      assertThat(CacheHarness.read(reader.channel(), 0, content.length)).isEqualTo(content);
    }
    assertThat(cache.hitCount(ID)).isEqualTo(1);
  }
}
