package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.testing.TestOrigin;
import io.imagecache.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v2/cache/nodes/{id}} with the postgres driver (spec §4.7): servers with their own
 * cache directories sharing one real PostgreSQL database (one embedded server for the class, a
 * fresh schema per test), each listing the node URLs whose rows hold the image.
 */
class CacheNodesWithPostgresTest {
  private static final String NODE_1 = "http://node-1:9292";
  private static final String NODE_2 = "http://node-2:9292";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path dir;
  private TestOrigin origin;
  /** The database URL of this test's schema. */
  private String dbUrl;
  /** Servers the test started; closed after it. */
  private final List<ServerHarness> servers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", TestImages.bytes(1, 64 * TestImages.KiB));
    dbUrl = POSTGRES.freshSchema("nodes");
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerHarness server : servers) {
      server.close();
    }
    origin.close();
  }

  @Test
  void nodesIsEmptyBeforeADownloadAndThisNodeAfterIt() throws Exception {
    ServerHarness node1 = node(NODE_1, "node-1");
    AdminApi api = new AdminApi(node1);

    HttpResponse<String> before = api.send("GET", "/v2/cache/nodes/img");

    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(JSON.readTree(before.body())).isEmpty();

    assertThat(node1.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);

    await().atMost(WAIT).untilAsserted(
        () -> assertThat(nodes(api, "img")).containsExactly(NODE_1));
  }

  @Test
  void nodesOfAnImageTheOriginDoesNotKnowIs404() throws Exception {
    AdminApi api = new AdminApi(node(NODE_1, "node-1"));

    HttpResponse<String> unknown = api.send("GET", "/v2/cache/nodes/unknown-image");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body().strip()).isEqualTo("404 Not Found: Image unknown-image not found.");
  }

  @Test
  void twoNodesOnOneDatabaseEachCachingTheImageAreBothListedByEither() throws Exception {
    ServerHarness node1 = node(NODE_1, "node-1");
    ServerHarness node2 = node(NODE_2, "node-2");
    AdminApi api1 = new AdminApi(node1);
    AdminApi api2 = new AdminApi(node2);

    assertThat(node1.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(nodes(api2, "img")).containsExactly(NODE_1));
    assertThat(node2.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(nodes(api1, "img")).containsExactly(NODE_1, NODE_2);
      assertThat(nodes(api2, "img")).containsExactly(NODE_1, NODE_2);
    });
    // Each node's listing stays its own (Glance's per-node rows).
    assertThat(api1.cachedIds()).containsExactly("img");
    assertThat(api2.cachedIds()).containsExactly("img");
  }

  @Test
  void deletingTheImageOnOneNodeLeavesTheOtherListed() throws Exception {
    ServerHarness node1 = node(NODE_1, "node-1");
    ServerHarness node2 = node(NODE_2, "node-2");
    AdminApi api1 = new AdminApi(node1);
    assertThat(node1.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    assertThat(node2.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(nodes(api1, "img")).containsExactly(NODE_1, NODE_2));

    assertThat(api1.send("DELETE", "/v2/cache/img").statusCode()).isEqualTo(204);

    assertThat(nodes(api1, "img")).containsExactly(NODE_2);
    assertThat(nodes(new AdminApi(node2), "img")).containsExactly(NODE_2);
  }

  @Test
  void detailWithoutAFleetAnswersFromTheIndexWithoutHeartbeats() throws Exception {
    ServerHarness node1 = node(NODE_1, "node-1");
    AdminApi api = new AdminApi(node1);
    assertThat(node1.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(nodes(api, "img")).containsExactly(NODE_1));

    HttpResponse<String> detail = api.send("GET", "/v2/cache/nodes/img?detail=true");

    assertThat(detail.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(detail.body())).isEqualTo(JSON.readTree("{\"nodes\":[{\"url\":\""
        + NODE_1 + "\",\"state\":\"cached\",\"bytes\":null,\"size\":null,"
        + "\"last_heartbeat\":null}]}"));
    assertThat(api.send("GET", "/v2/cache/nodes/unknown-image?detail=true").statusCode())
        .isEqualTo(404);
  }

  // ---- helpers

  /** A server whose cache lives in {@code <dir>/<subdir>}, registered as {@code nodeUrl}. */
  private ServerHarness node(String nodeUrl, String subdir) throws Exception {
    CacheConfig config = ServerHarness.config(dir.resolve(subdir))
        .driver(DriverKind.POSTGRES)
        .dbUrl(dbUrl)
        .nodeUrl(nodeUrl)
        .build();
    ServerHarness server = ServerHarness.start(config, Optional.of(origin.glanceSpec()));
    servers.add(server);
    return server;
  }

  /** {@code GET /v2/cache/nodes/{id}}, which must answer 200, as a list of URLs. */
  private static List<String> nodes(AdminApi api, String id) throws Exception {
    HttpResponse<String> response = api.send("GET", "/v2/cache/nodes/" + id);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> urls = new ArrayList<>();
    for (JsonNode url : JSON.readTree(response.body())) {
      urls.add(url.asText());
    }
    return urls;
  }
}
