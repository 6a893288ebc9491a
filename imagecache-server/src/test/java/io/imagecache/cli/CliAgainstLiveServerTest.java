package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import io.imagecache.server.ImageCacheServer;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line against a real server: an {@link ImageCacheServer} on a loopback port in
 * front of a cache in a temporary directory, fetching from a {@link TestOrigin} in Glance's
 * dialect. Every command runs through {@link Main#commandLine} with {@code --server} and
 * {@code --token} (or the token file), as a user would type it.
 */
class CliAgainstLiveServerTest {
  private static final String TOKEN = "live-admin-token";
  private static final int KiB = 1024;
  /** The bound of every wait: {@code queue --wait --timeout}, Awaitility. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ImageCache cache;
  private ImageCacheServer server;
  /** Gates a test opened; released after it so that no origin thread stays blocked. */
  private final List<Gate> gates = new ArrayList<>();

  @BeforeEach
  void startOrigin() throws Exception {
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    gates.forEach(Gate::release);
    stopServer();
    origin.close();
  }

  // ---- queue and list

  @Test
  void queueWaitExitsZeroOnceTheImageIsCachedAndListShowsIt() throws Exception {
    byte[] image = put("img-1", 40 * KiB);
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result queued = cli("queue", "img-1", "--wait", "--timeout", "30s");

    assertThat(queued.exitCode()).as(queued.err()).isZero();
    assertThat(queued.out()).contains("img-1").contains("cached");
    assertThat(cache.isCached(ImageId.of("img-1"))).isTrue();

    CliRun.Result table = cli("list");

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.outLines()).hasSize(2);
    assertThat(table.outLines().get(0)).startsWith("ID").contains("STATE", "PINNED", "SIZE");
    assertThat(table.outLines().get(1).split(" +"))
        .startsWith("img-1", "cached", "no", "40.0", "KiB");

    CliRun.Result json = cli("list", "--json");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode listing = JSON.readTree(json.out());
    assertThat(listing.path("cached_images")).hasSize(1);
    JsonNode entry = listing.path("cached_images").get(0);
    assertThat(entry.path("image_id").asText()).isEqualTo("img-1");
    assertThat(entry.path("size").asLong()).isEqualTo(image.length);
    assertThat(entry.path("checksum").asText()).isEqualTo(md5(image));
    assertThat(entry.path("pinned").asBoolean()).isFalse();
    assertThat(listing.path("queued_images")).isEmpty();
  }

  @Test
  void listShowsAnImageWhoseFetchIsHeldAsQueued() throws Exception {
    gates.add(origin.put("slow", bytes(7, 10 * KiB)).pauseAfter(0));
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result queued = cli("queue", "slow");

    assertThat(queued.exitCode()).as(queued.err()).isZero();
    assertThat(queued.out()).isEqualTo(line("Queued slow."));
    assertThat(gates.get(0).awaitReached(WAIT)).isTrue();
    CliRun.Result table = cli("list");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.outLines().get(1).split(" +")).containsExactly(
        "slow", "queued", "-", "-", "-", "-", "-");
  }

  @Test
  void statusShowsAHeldFillWithItsBytesAndItsPrefetchEntry() throws Exception {
    gates.add(origin.put("slow", bytes(7, 10 * KiB)).pauseAfter(4 * KiB));
    startServer(UnaryOperator.identity(), TOKEN);
    assertThat(cli("queue", "slow").exitCode()).isZero();
    assertThat(gates.get(0).awaitReached(WAIT)).isTrue();

    await().atMost(WAIT).untilAsserted(() -> {
      CliRun.Result status = cli("status");
      assertThat(status.exitCode()).as(status.err()).isZero();
      List<String> lines = status.outLines();
      assertThat(lines.get(0).split(" +"))
          .containsExactly("FILL", "STATE", "DONE", "BYTES", "RATE", "LEFT");
      assertThat(lines.get(1)).matches(
          "slow +running +40% +4\\.0 KiB / 10\\.0 KiB +[0-9.]+ [KMG]?i?B/s +[0-9hms ]+");
      assertThat(lines.subList(2, lines.size())).containsExactly("",
          "PREFETCH  STATE     ATTEMPTS  LAST ERROR",
          "slow      fetching         1  -");
    });
    CliRun.Result json = cli("status", "--json");
    assertThat(new ObjectMapper().readTree(json.out()).path("fills").get(0).path("image_id")
        .asText()).isEqualTo("slow");
  }

  @Test
  void statusOfAnIdleServerSaysSo() throws Exception {
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result status = cli("status");

    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).isEqualTo(line("No fills are running and the prefetch queue is empty."));
  }

  @Test
  void queueOfAnIdTheOriginDoesNotKnowExitsWith1WithTheServersMessage() throws Exception {
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result result = cli("queue", "unknown-image");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(line(
        "imagecache queue: server answered 404: 404 Not Found: Image unknown-image not found."));
  }

  // ---- pin, unpin, prune

  @Test
  void pinAndUnpinShowInTheListingAndOnTheServer() throws Exception {
    put("img-1", 10 * KiB);
    startServer(UnaryOperator.identity(), TOKEN);
    assertThat(cli("queue", "img-1", "--wait", "--timeout", "30s").exitCode()).isZero();

    CliRun.Result pinned = cli("pin", "img-1");

    assertThat(pinned.exitCode()).as(pinned.err()).isZero();
    assertThat(pinned.out()).isEqualTo(line("Pinned img-1: pruning will not remove it."));
    assertThat(cache.isPinned(ImageId.of("img-1"))).isTrue();
    assertThat(cachedEntry("img-1").path("pinned").asBoolean()).isTrue();
    assertThat(cli("list").outLines().get(1).split(" +")).startsWith("img-1", "cached", "yes");

    CliRun.Result unpinned = cli("unpin", "img-1");

    assertThat(unpinned.exitCode()).as(unpinned.err()).isZero();
    assertThat(unpinned.out()).isEqualTo(line("Unpinned img-1."));
    assertThat(cache.isPinned(ImageId.of("img-1"))).isFalse();
    assertThat(cachedEntry("img-1").path("pinned").asBoolean()).isFalse();
  }

  @Test
  void pruneRemovesTheLeastRecentlyUsedImageThatIsNotPinned() throws Exception {
    put("older", 40 * KiB);
    put("newer", 40 * KiB);
    startServer(UnaryOperator.identity(), TOKEN);
    assertThat(cli("queue", "older", "--wait", "--timeout", "30s").exitCode()).isZero();
    assertThat(cli("queue", "newer", "--wait", "--timeout", "30s").exitCode()).isZero();
    assertThat(cli("pin", "older").exitCode()).isZero();
    assertThat(cli("prune").out())
        .isEqualTo(line("Nothing to prune: the cache fits its size limit."));
    // The same directory with room for one image only; the automatic prune waits an hour.
    stopServer();
    startServer(config -> config.maxSize(50 * KiB).pruneInterval(Duration.ofHours(1)), TOKEN);

    CliRun.Result pruned = cli("prune");

    assertThat(pruned.exitCode()).as(pruned.err()).isZero();
    assertThat(pruned.out()).isEqualTo(line("Pruned 1 image, 40.0 KiB in total."));
    assertThat(cache.isCached(ImageId.of("older"))).as("pinned, so spared").isTrue();
    assertThat(cache.isCached(ImageId.of("newer"))).isFalse();

    CliRun.Result again = cli("prune", "--json");

    assertThat(again.exitCode()).as(again.err()).isZero();
    JsonNode result = JSON.readTree(again.out());
    assertThat(result.path("total_files_pruned").asLong()).isZero();
    assertThat(result.path("total_bytes_pruned").asLong()).isZero();
  }

  // ---- clean, delete, clear

  @Test
  void cleanRemovesInvalidFilesAndSaysHowMany() throws Exception {
    startServer(UnaryOperator.identity(), TOKEN);
    Path invalid = cache.config().dir().resolve("invalid").resolve("broken");
    Files.createDirectories(invalid.getParent());
    Files.write(invalid, new byte[10]);

    CliRun.Result cleaned = cli("clean");

    assertThat(cleaned.exitCode()).as(cleaned.err()).isZero();
    assertThat(cleaned.out())
        .isEqualTo(line("Removed 1 invalid file and 0 stalled files, 10 B in total."));
    assertThat(invalid).doesNotExist();
    assertThat(cli("clean").out())
        .isEqualTo(line("Nothing to clean: no invalid or stalled files."));
  }

  @Test
  void deleteRemovesACachedImageAndAnUnknownIdExitsWith1() throws Exception {
    put("img-1", 10 * KiB);
    startServer(UnaryOperator.identity(), TOKEN);
    assertThat(cli("queue", "img-1", "--wait", "--timeout", "30s").exitCode()).isZero();

    CliRun.Result deleted = cli("delete", "img-1");

    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).isEqualTo(line("Deleted img-1 from the cache and the queue."));
    assertThat(cache.isCached(ImageId.of("img-1"))).isFalse();
    assertThat(cli("list").out()).isEqualTo(line("No images are cached or queued."));

    CliRun.Result unknown = cli("delete", "unknown-image");

    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err()).isEqualTo(line(
        "imagecache delete: server answered 404: 404 Not Found: Image unknown-image not found."));
  }

  @Test
  void clearEmptiesTheQueueAloneThenTheCacheAndTheQueue() throws Exception {
    put("img-1", 10 * KiB);
    gates.add(origin.put("slow", bytes(7, 10 * KiB)).pauseAfter(0));
    startServer(UnaryOperator.identity(), TOKEN);
    assertThat(cli("queue", "img-1", "--wait", "--timeout", "30s").exitCode()).isZero();
    assertThat(cli("queue", "slow").exitCode()).isZero();
    assertThat(gates.get(0).awaitReached(WAIT)).isTrue();
    assertThat(listing().path("queued_images")).hasSize(1);

    CliRun.Result queueCleared = cli("clear", "--target", "queue");

    assertThat(queueCleared.exitCode()).as(queueCleared.err()).isZero();
    assertThat(queueCleared.out()).isEqualTo(line("Cleared the queue."));
    assertThat(listing().path("queued_images")).isEmpty();
    assertThat(cache.isCached(ImageId.of("img-1"))).isTrue();

    CliRun.Result cleared = cli("clear");

    assertThat(cleared.exitCode()).as(cleared.err()).isZero();
    assertThat(cleared.out()).isEqualTo(line("Cleared the cache and the queue."));
    assertThat(cache.isCached(ImageId.of("img-1"))).isFalse();
    assertThat(listing().path("cached_images")).isEmpty();
  }

  // ---- nodes and credentials

  @Test
  void nodesWithTheSqliteDriverExitsWith1ExplainingTheConflict() throws Exception {
    put("img-1", 10 * KiB);
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result result = cli("nodes", "img-1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(line(
        "imagecache nodes: this cache's driver does not track nodes (use --driver postgres)"));
  }

  @Test
  void aWrongTokenExitsWith1NamingWhereTheTokenCameFrom() throws Exception {
    startServer(UnaryOperator.identity(), TOKEN);

    CliRun.Result result = CliRun.run(Map.of(), CliRun.TICKING,
        "list", "--server", serverUrl(), "--token", "not-the-token");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(line("imagecache list: server answered 403: 403 Forbidden:"
        + " the X-Auth-Token is not the admin token (the admin token came from --token)"));
  }

  @Test
  void withoutTokenOptionTheTokenComesFromTheEnvironmentOrTheServersTokenFile()
      throws Exception {
    Path cacheDir = dir.resolve("cache");
    String generated = AdminToken.readOrCreate(cacheDir);
    startServer(UnaryOperator.identity(), generated);

    CliRun.Result fromFile = CliRun.run(Map.of(), CliRun.TICKING,
        "list", "--server", serverUrl(), "--cache-dir", cacheDir.toString());
    CliRun.Result fromEnvironment = CliRun.run(
        Map.of("IMAGECACHE_TOKEN", generated, "IMAGECACHE_SERVER", serverUrl()), CliRun.TICKING,
        "list");

    assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
    assertThat(fromFile.out()).isEqualTo(line("No images are cached or queued."));
    assertThat(fromEnvironment.exitCode()).as(fromEnvironment.err()).isZero();
    assertThat(fromEnvironment.out()).isEqualTo(line("No images are cached or queued."));
  }

  // ---- helpers

  /**
   * Opens the cache in {@code <dir>/cache} (test defaults changed by {@code settings}) with the
   * origin in Glance's dialect, and starts the server on a free loopback port with {@code token}.
   */
  private void startServer(UnaryOperator<CacheConfig.Builder> settings, String token)
      throws Exception {
    CacheConfig config = settings.apply(CacheConfig.builder(dir.resolve("cache"))
        .durable(false)
        .flushInterval(Duration.ofMillis(100))).build();
    cache = ImageCache.open(config, Optional.of(new OriginConfig(origin.glanceSpec(),
        Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(20),
        Optional.empty())));
    try {
      server = ImageCacheServer.start(cache,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, 4);
    } catch (Exception | Error e) {
      cache.close();
      cache = null;
      throw e;
    }
  }

  private void stopServer() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      server = null;
      if (cache != null) {
        cache.close();
      }
      cache = null;
    }
  }

  private String serverUrl() {
    return "http://127.0.0.1:" + server.address().getPort();
  }

  /** Runs {@code imagecache ARGS --server URL --token TOKEN} with the system clock. */
  private CliRun.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", serverUrl(), "--token", TOKEN));
    return CliRun.run(Map.of(), CliRun.TICKING, all.toArray(String[]::new));
  }

  /** {@code list --json}, which must succeed. */
  private JsonNode listing() throws Exception {
    CliRun.Result result = cli("list", "--json");
    assertThat(result.exitCode()).as(result.err()).isZero();
    return JSON.readTree(result.out());
  }

  /** The listing's entry of {@code id}, waiting until it is there. */
  private JsonNode cachedEntry(String id) {
    List<JsonNode> found = new ArrayList<>();
    await().atMost(WAIT).untilAsserted(() -> {
      found.clear();
      for (JsonNode entry : listing().path("cached_images")) {
        if (entry.path("image_id").asText().equals(id)) {
          found.add(entry);
        }
      }
      assertThat(found).as("listing entry of %s", id).hasSize(1);
    });
    return found.get(0);
  }

  /** Serves {@code size} seeded random bytes as image {@code id} and returns them. */
  private byte[] put(String id, int size) {
    byte[] bytes = bytes(id.hashCode(), size);
    origin.put(id, bytes);
    return bytes;
  }

  private static byte[] bytes(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String md5(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }

  private static String line(String text) {
    return text + System.lineSeparator();
  }
}
