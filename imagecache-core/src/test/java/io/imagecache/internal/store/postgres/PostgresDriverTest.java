package io.imagecache.internal.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imagecache.CachedImage;
import io.imagecache.internal.store.BadDriverConfigurationException;
import io.imagecache.internal.store.CacheDriver;
import io.imagecache.internal.store.CacheDriverContractTest;
import io.imagecache.internal.store.CacheWriter;
import io.imagecache.internal.store.ExpectedContent;
import io.imagecache.internal.store.FileCacheDriver;
import io.imagecache.internal.store.LruEntry;
import io.imagecache.testing.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The driver contract over {@link PostgresIndex} on a real PostgreSQL (one embedded server for the
 * class, a fresh schema per driver store), plus Glance's centralized_db scenarios (spec §6
 * 26–36) that concern the fleet: node registration and per-node scoping.
 */
class PostgresDriverTest extends CacheDriverContractTest {
  private static final String NODE_A = "http://node-a:9292";
  private static final String NODE_B = "http://node-b:9292";

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  /** The store the latest {@link #newDriver} created; {@link #reopenDriver} reuses it. */
  private String storeUrl;

  /** Drivers of other nodes a test started; closed after it. */
  private final List<CacheDriver> otherNodes = new ArrayList<>();

  @AfterEach
  void closeOtherNodes() throws IOException {
    for (CacheDriver other : otherNodes) {
      other.close();
    }
  }

  @Override
  protected CacheDriver newDriver(Path dir) throws SQLException {
    storeUrl = createStore();
    return driverOf(NODE_A, dir);
  }

  @Override
  protected CacheDriver reopenDriver(Path dir) {
    return driverOf(NODE_A, dir);
  }

  // ---------------------------------------------------------------- node registration (§6 26–28)

  @Test
  void configure_registersTheNodeUrl() throws SQLException {
    assertThat(nodeUrls()).containsExactly(NODE_A);
  }

  @Test
  void twoProcessesWithTheSameNodeUrl_shareOneRegistrationAndTheRows() throws Exception {
    cache(id("1"), bytes(9, 1));

    CacheDriver sameNode = startNode(NODE_A, tempDir.resolve("same-node"));

    assertThat(nodeUrls()).containsExactly(NODE_A);
    assertThat(sameNode.cachedNodes(id("1"))).containsExactly(NODE_A);
  }

  @Test
  void nodesStartingAtOnceOnAnEmptyStore_allCreateTheTablesAndRegister() throws Exception {
    int nodes = 4;
    CountDownLatch ready = new CountDownLatch(nodes);
    ExecutorService starters = Executors.newFixedThreadPool(nodes);
    List<PostgresIndex> indexes = new ArrayList<>();
    try {
      String emptyStore = createStore();
      List<Future<?>> started = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        PostgresIndex index =
            new PostgresIndex(emptyStore, "http://node-" + i + ":9292", tempDir);
        indexes.add(index);
        started.add(starters.submit((Callable<Void>) () -> {
          ready.countDown();
          ready.await();
          index.open();
          return null;
        }));
      }
      for (Future<?> future : started) {
        future.get(30, TimeUnit.SECONDS);
      }

      assertThat(nodeUrls(emptyStore)).containsExactly(
          "http://node-0:9292", "http://node-1:9292", "http://node-2:9292", "http://node-3:9292");
    } finally {
      starters.shutdownNow();
      for (PostgresIndex index : indexes) {
        index.close();
      }
    }
  }

  @Test
  void configure_withoutANodeUrl_failsSayingWhatToSet() {
    for (String missing : new String[] {null, "", "   "}) {
      CacheDriver noNode = driverOf(missing, tempDir.resolve("no-node"));
      otherNodes.add(noNode);

      assertThatThrownBy(noNode::configure)
          .isInstanceOf(BadDriverConfigurationException.class)
          .hasMessageContaining("node's URL")
          .hasMessageContaining("worker_self_reference_url");
    }
  }

  @Test
  void configure_ofAnUnreachableDatabase_namesTheUrlButNotThePassword() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/imagecache?password=s3cret";
    PostgresIndex unreachable =
        new PostgresIndex(url, NODE_A, tempDir.resolve("unreachable"));

    assertThatThrownBy(unreachable::open)
        .isInstanceOf(BadDriverConfigurationException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort + "/imagecache")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void configure_withANonPostgresUrl_failsNamingTheExpectedForm() {
    PostgresIndex sqlite = new PostgresIndex(
        "jdbc:sqlite:/tmp/cache.db", NODE_A, tempDir.resolve("wrong-url"));

    assertThatThrownBy(sqlite::open)
        .isInstanceOf(BadDriverConfigurationException.class)
        .hasMessageContaining("jdbc:postgresql://");
  }

  // ---------------------------------------------------------------- per-node scoping (§6 31, 35)

  @Test
  void anotherNode_seesNoneOfThisNodesImagesButKnowsWhoHasThem() throws Exception {
    cache(id("1"), bytes(9, 1));

    CacheDriver nodeB = startNode(NODE_B, tempDir.resolve("node-b"));

    assertThat(nodeB.cachedImages()).isEmpty();
    assertThat(nodeB.cachedImage(id("1"))).isEmpty();
    assertThat(nodeB.hitCount(id("1"))).isZero();
    assertThat(nodeB.cachedNodes(id("1"))).containsExactly(NODE_A);
    assertThat(driver.cachedImages()).extracting(CachedImage::imageId).containsExactly(id("1"));
  }

  @Test
  void twoNodesCachingOneImage_areBothListedAndDeleteIsPerNode() throws Exception {
    CacheDriver nodeB = startNode(NODE_B, tempDir.resolve("node-b"));
    cache(id("1"), bytes(9, 1));
    cacheOn(nodeB, "1", bytes(9, 1));

    assertThat(driver.cachedNodes(id("1"))).containsExactly(NODE_A, NODE_B);

    driver.delete(id("1"));

    assertThat(nodeB.cachedNodes(id("1"))).containsExactly(NODE_B);
    assertThat(nodeB.cachedImages()).extracting(CachedImage::imageId).containsExactly(id("1"));
    nodeB.deleteAll();
    assertThat(driver.cachedNodes(id("1"))).isEmpty();
  }

  @Test
  void leastRecentlyAccessed_isPerNode() throws Exception {
    CacheDriver nodeB = startNode(NODE_B, tempDir.resolve("node-b"));
    cacheOn(nodeB, "old-on-b", bytes(9, 1));
    clock.advance(Duration.ofHours(1));
    cache(id("a1"), bytes(9, 2));
    clock.advance(Duration.ofHours(1));
    cache(id("a2"), bytes(9, 3));

    assertThat(driver.leastRecentlyAccessed()).contains(new LruEntry(id("a1"), 9));
    assertThat(nodeB.leastRecentlyAccessed()).contains(new LruEntry(id("old-on-b"), 9));
  }

  @Test
  void nodeWithFilesButNoRows_hasNoLeastRecentlyAccessed_soPruneEnds() throws Exception {
    // Glance answered (None, 0) here, and its prune loop never ended (spec §7.1-10).
    cache(id("1"), bytes(9, 1));
    Path dirOfB = tempDir.resolve("node-b");
    CacheDriver nodeB = startNode(NODE_B, dirOfB);
    Files.write(dirOfB.resolve("orphan"), bytes(100, 2));

    assertThat(nodeB.cacheSize()).isEqualTo(100);
    assertThat(nodeB.leastRecentlyAccessed()).isEmpty();
  }

  // ---------------------------------------------------------------- schema and time

  @Test
  void timestamps_areStoredAsUtcWhateverTheJvmTimeZone() throws Exception {
    TimeZone original = TimeZone.getDefault();
    // 02:30 on 8 March 2026 does not exist in New York (clocks jump from 02:00 to 03:00), so any
    // conversion through the JVM's zone would move it.
    Instant commit = Instant.parse("2026-03-08T02:30:00.123456Z");
    clock.set(commit);
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
      CacheDriver inNewYork = startNode(NODE_B, tempDir.resolve("new-york"));

      cacheOn(inNewYork, "1", bytes(9, 1));

      assertThat(inNewYork.cachedImage(id("1")).orElseThrow().lastModified()).isEqualTo(commit);
    } finally {
      TimeZone.setDefault(original);
    }
    assertThat(queryText("SELECT last_modified::text FROM cached_images WHERE image_id = '1'"))
        .contains("2026-03-08 02:30:00.123456");
  }

  @Test
  void anImageIdOf255Characters_fitsTheSchema() throws IOException {
    String longId = "x".repeat(255);

    cache(id(longId), bytes(9, 1));

    assertThat(driver.cachedImages()).extracting(CachedImage::imageId).containsExactly(id(longId));
  }

  @Test
  void tablesCreatedByGlance_areSharedAsTheyAre() throws Exception {
    String glanceStore = createStore();
    try (Connection connection = DriverManager.getConnection(glanceStore, "postgres", "");
        Statement sql = connection.createStatement()) {
      sql.execute("CREATE TABLE node_reference (node_reference_id BIGSERIAL PRIMARY KEY,"
          + " node_reference_url VARCHAR(255) NOT NULL,"
          + " CONSTRAINT uq_node_reference_node_reference_url UNIQUE (node_reference_url))");
      sql.execute("CREATE TABLE cached_images (id BIGSERIAL PRIMARY KEY,"
          + " image_id VARCHAR(36) NOT NULL, last_accessed TIMESTAMP NOT NULL,"
          + " last_modified TIMESTAMP NOT NULL, size BIGINT NOT NULL, hits INT NOT NULL,"
          + " checksum VARCHAR(32), node_reference_id BIGINT NOT NULL"
          + " REFERENCES node_reference (node_reference_id),"
          + " CONSTRAINT ix_cached_images_image_id_node_reference_id"
          + " UNIQUE (image_id, node_reference_id))");
      sql.execute("INSERT INTO node_reference (node_reference_url) VALUES ('" + NODE_B + "')");
      sql.execute("INSERT INTO cached_images (image_id, last_accessed, last_modified, size, hits,"
          + " node_reference_id) VALUES ('0d0e5c6a-58d4-4a8c-9b1a-c8f4d4a5e0f1',"
          + " '2024-05-01 10:00:00', '2024-04-30 09:00:00', 9, 3, 1)");
    }
    PostgresIndex glanceNode = new PostgresIndex(glanceStore, NODE_B, tempDir);
    try {
      glanceNode.open();

      assertThat(glanceNode.list()).containsExactly(new CachedImage(
          id("0d0e5c6a-58d4-4a8c-9b1a-c8f4d4a5e0f1"), 9, 3,
          Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-04-30T09:00:00Z"),
          Optional.empty()));
    } finally {
      glanceNode.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  private CacheDriver driverOf(String nodeUrl, Path dir) {
    return new FileCacheDriver(
        dir, new PostgresIndex(storeUrl, nodeUrl, dir), clock, true);
  }

  /** A configured driver of another node over {@code dir}, sharing this test's store. */
  private CacheDriver startNode(String nodeUrl, Path dir) throws Exception {
    CacheDriver node = driverOf(nodeUrl, dir);
    otherNodes.add(node);
    node.configure();
    return node;
  }

  private static void cacheOn(CacheDriver node, String id, byte[] content) throws IOException {
    try (CacheWriter writer = node.openForWrite(id(id), ExpectedContent.unknown()).orElseThrow()) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  /**
   * A new empty schema, which the returned JDBC URL makes the current one: as good as a new
   * database for the index, which names its tables unqualified, and much cheaper.
   */
  private static String createStore() throws SQLException {
    return POSTGRES.freshSchema("t");
  }

  private List<String> nodeUrls() throws SQLException {
    return nodeUrls(storeUrl);
  }

  private static List<String> nodeUrls(String url) throws SQLException {
    List<String> urls = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery(
            "SELECT node_reference_url FROM node_reference ORDER BY node_reference_url")) {
      while (rows.next()) {
        urls.add(rows.getString(1));
      }
    }
    return urls;
  }

  private String queryText(String query) throws SQLException {
    try (Connection connection = DriverManager.getConnection(storeUrl, "postgres", "");
        Statement sql = connection.createStatement();
        ResultSet rows = sql.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return String.join("\n", values);
    }
  }
}
