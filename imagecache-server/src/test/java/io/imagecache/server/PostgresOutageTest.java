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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one real PostgreSQL that is stopped and started again (same data directory and
 * port) while they serve: hits never fail, a miss fills from the origin and commits, readiness
 * says the store is away, and within 30 s of the database's return the kept rows and hit counts
 * are in it and fleet-wide deletes flow again.
 */
class PostgresOutageTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final ImageId HOT = ImageId.of("hot");
  private static final ImageId COLD = ImageId.of("cold");
  private static final int HITS_DURING_OUTAGE = 20;

  @TempDir
  Path dir;
  private TestPostgres postgres;
  private TestOrigin origin;
  private byte[] hot;
  private byte[] cold;
  private final List<ServerHarness> servers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    postgres = TestPostgres.startOn(dir.resolve("pgdata"));
    origin = TestOrigin.start();
    hot = TestImages.bytes(5, 256 * TestImages.KiB);
    cold = TestImages.bytes(6, 128 * TestImages.KiB);
    origin.put("hot", hot);
    origin.put("cold", cold);
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerHarness server : servers) {
      server.close();
    }
    origin.close();
    postgres.close();
  }

  @Test
  void hitsAndMissesAreServedWhileTheDatabaseIsAwayAndItsWritesReachItOnItsReturn()
      throws Exception {
    ServerHarness node1 = node(1);
    ServerHarness node2 = node(2);
    assertBody(node1, "hot", hot);
    assertBody(node2, "hot", hot);
    assertBody(node1, "hot", hot);
    await().atMost(WAIT).until(() -> hitsInDatabase(1, HOT).orElse(-1) == 1);

    postgres.stop();

    for (int i = 0; i < HITS_DURING_OUTAGE; i++) {
      assertBody(node1, "hot", hot);
      assertBody(node2, "hot", hot);
    }
    assertBody(node1, "cold", cold);
    assertThat(node1.cache().isCached(COLD)).isTrue();
    assertBody(node1, "cold", cold);
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(node1.get("/readyz").statusCode()).isEqualTo(503));
    assertThat(new AdminApi(node1).send("GET", "/v2/cache").statusCode()).isEqualTo(503);
    HttpResponse<String> notRecorded =
        new AdminApi(node2).send("DELETE", "/v2/cache/cold?scope=fleet");
    assertThat(notRecorded.statusCode()).as(notRecorded.body()).isEqualTo(503);
    // The cold image's row is kept in memory: its metadata answers while the database is away.
    assertThat(node1.cache().hitCount(COLD)).isEqualTo(1);

    postgres.restart();

    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(hitsInDatabase(1, COLD)).hasValue(1);
      assertThat(hitsInDatabase(1, HOT)).hasValue(1 + HITS_DURING_OUTAGE);
      assertThat(hitsInDatabase(2, HOT)).hasValue(HITS_DURING_OUTAGE);
      assertThat(node1.get("/readyz").statusCode()).isEqualTo(200);
    });
    HttpResponse<String> deleted =
        new AdminApi(node2).send("DELETE", "/v2/cache/hot?scope=fleet");
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(5)).until(() -> !node1.cache().isCached(HOT));
  }

  // ---- helpers

  private static void assertBody(ServerHarness node, String id, byte[] expected)
      throws Exception {
    HttpResponse<byte[]> response = node.get(ServerHarness.file(id));
    assertThat(response.statusCode()).as("GET %s", id).isEqualTo(200);
    assertThat(response.body()).isEqualTo(expected);
  }

  /** The hits of node {@code n}'s row for {@code id}; empty without a row. */
  private OptionalLong hitsInDatabase(int n, ImageId id) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        PreparedStatement select = connection.prepareStatement("SELECT c.hits FROM cached_images c"
            + " JOIN node_reference n ON n.node_reference_id = c.node_reference_id"
            + " WHERE n.node_reference_url = ? AND c.image_id = ?")) {
      select.setString(1, nodeUrl(n));
      select.setString(2, id.value());
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  private ServerHarness node(int n) throws Exception {
    CacheConfig config = ServerHarness.config(dir.resolve("node-" + n))
        .driver(DriverKind.POSTGRES)
        .dbUrl(postgres.jdbcUrl())
        .nodeUrl(nodeUrl(n))
        .build();
    ServerHarness server = ServerHarness.start(config, Optional.of(origin.glanceSpec()));
    servers.add(server);
    return server;
  }

  private static String nodeUrl(int n) {
    return "http://node-" + n + ":9292";
  }
}
