package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.ImageId;
import io.imagecache.testing.TestOrigin;
import io.imagecache.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code DELETE /v2/cache/{id}?scope=fleet}: servers with their own cache directories sharing one
 * real PostgreSQL database (a fresh schema per test) delete the image on every node, live ones
 * within 5 s through {@code LISTEN/NOTIFY}, a node that was down when it next opens.
 */
class FleetDeleteTest {
  private static final Duration FLEET_DELETE = Duration.ofSeconds(5);
  private static final ImageId IMG = ImageId.of("img");

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path dir;
  private TestOrigin origin;
  private String dbUrl;
  private final List<ServerHarness> servers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", TestImages.bytes(3, 64 * TestImages.KiB));
    dbUrl = POSTGRES.freshSchema("fleetdelete");
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerHarness server : servers) {
      server.close();
    }
    origin.close();
  }

  @Test
  void aFleetScopeDeleteReachesTheOtherNodesWithinFiveSeconds() throws Exception {
    ServerHarness node1 = cachingNode(1);
    ServerHarness node2 = cachingNode(2);
    ServerHarness node3 = cachingNode(3);

    HttpResponse<String> deleted = new AdminApi(node1).send("DELETE", "/v2/cache/img?scope=fleet");

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(node1.cache().isCached(IMG)).isFalse();
    await().atMost(FLEET_DELETE).untilAsserted(() -> {
      assertThat(node2.cache().isCached(IMG)).isFalse();
      assertThat(node3.cache().isCached(IMG)).isFalse();
    });
    assertThat(new AdminApi(node2).cachedIds()).isEmpty();
    assertThat(new AdminApi(node3).cachedIds()).isEmpty();
  }

  @Test
  void aNodeScopeDeleteLeavesTheOtherNodesAlone() throws Exception {
    origin.put("other", TestImages.bytes(4, 4 * TestImages.KiB));
    ServerHarness node1 = cachingNode(1);
    ServerHarness node2 = cachingNode(2);
    assertThat(node1.get(ServerHarness.file("other")).statusCode()).isEqualTo(200);

    assertThat(new AdminApi(node2).send("DELETE", "/v2/cache/img?scope=node").statusCode())
        .isEqualTo(204);
    // A fleet-scope delete of another image made afterwards reaches node 1 through the same
    // channel, in order: once it has, node 1 has seen whatever the first delete sent.
    assertThat(new AdminApi(node2).send("DELETE", "/v2/cache/other?scope=fleet").statusCode())
        .isEqualTo(204);
    await().atMost(FLEET_DELETE).until(() -> !node1.cache().isCached(ImageId.of("other")));

    assertThat(node2.cache().isCached(IMG)).isFalse();
    assertThat(node1.cache().isCached(IMG)).isTrue();
  }

  @Test
  void aNodeThatWasDownDuringAFleetDeleteDeletesTheImageWhenItOpens() throws Exception {
    ServerHarness node1 = cachingNode(1);
    ServerHarness node2 = cachingNode(2);
    servers.remove(node2);
    node2.close();

    assertThat(new AdminApi(node1).send("DELETE", "/v2/cache/img?scope=fleet").statusCode())
        .isEqualTo(204);
    ServerHarness reopened = node(2);

    // The replay runs while the cache opens: the image is gone before the first request.
    assertThat(reopened.cache().isCached(IMG)).isFalse();
    assertThat(new AdminApi(reopened).cachedIds()).isEmpty();
  }

  @Test
  void anImageTheOriginNoLongerHasIsDeletedOnEveryNodeWhenAReaderCheckFindsIt() throws Exception {
    ServerHarness node1 = cachingNode(1);
    ServerHarness node2 = cachingNode(2);
    origin.remove("img");

    // A new caller: its reader check asks the origin (the first caller's yes is remembered).
    HttpResponse<byte[]> gone = node1.get(ServerHarness.file("img"), "X-Auth-Token", "another");

    assertThat(gone.statusCode()).isEqualTo(404);
    await().atMost(FLEET_DELETE).untilAsserted(() -> {
      assertThat(node1.cache().isCached(IMG)).isFalse();
      assertThat(node2.cache().isCached(IMG)).isFalse();
    });
  }

  @Test
  void anUnknownScopeIs400AndDeletesNothing() throws Exception {
    ServerHarness node1 = cachingNode(1);

    HttpResponse<String> refused = new AdminApi(node1).send("DELETE", "/v2/cache/img?scope=all");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("'scope' must be 'node' or 'fleet'");
    assertThat(node1.cache().isCached(IMG)).isTrue();
  }

  @Test
  void scopeFleetWithTheSqliteDriverIs400AndDeletesNothing() throws Exception {
    ServerHarness sqlite = ServerHarness.start(dir.resolve("sqlite"), origin.glanceSpec());
    servers.add(sqlite);
    assertThat(sqlite.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);

    HttpResponse<String> refused = new AdminApi(sqlite).send("DELETE", "/v2/cache/img?scope=fleet");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("scope=fleet needs driver postgres");
    assertThat(sqlite.cache().isCached(IMG)).isTrue();
  }

  // ---- helpers

  /** Node {@code n}, which has downloaded {@code img}. */
  private ServerHarness cachingNode(int n) throws Exception {
    ServerHarness node = node(n);
    assertThat(node.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> node.cache().isCached(IMG));
    return node;
  }

  /** A server whose cache lives in {@code <dir>/node-<n>}, registered as node {@code n}. */
  private ServerHarness node(int n) throws Exception {
    CacheConfig config = ServerHarness.config(dir.resolve("node-" + n))
        .driver(DriverKind.POSTGRES)
        .dbUrl(dbUrl)
        .nodeUrl("http://node-" + n + ":9292")
        .build();
    ServerHarness server = ServerHarness.start(config, Optional.of(origin.glanceSpec()));
    servers.add(server);
    return server;
  }
}
