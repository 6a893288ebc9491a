package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.ImageId;
import io.imagecache.cli.Main;
import io.imagecache.testing.FreePort;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import io.imagecache.testing.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code GET /v2/cache/nodes/{id}?detail=true} and {@code imagecache nodes ID --detail} on a
 * fleet: nodes as separate servers on loopback sharing one real PostgreSQL database (a fresh
 * schema per test), one holding the image, one filling it from a stalled origin, one stopped.
 */
class FleetNodesDetailTest {
  private static final String FLEET_TOKEN = "fleet-test-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path dir;
  private TestOrigin origin;
  private String dbUrl;
  /** Servers the test started and has not closed itself; closed after it. */
  private final List<ServerHarness> servers = new ArrayList<>();
  /** Gates the test opened; released after it so that no origin thread stays blocked. */
  private final List<Gate> gates = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    dbUrl = POSTGRES.freshSchema("detail");
  }

  @AfterEach
  void stop() throws Exception {
    gates.forEach(Gate::release);
    for (ServerHarness server : servers) {
      server.close();
    }
    origin.close();
  }

  @Test
  void detailShowsTheHolderCachedAndTheFillerWithItsBytesAndLeavesOutAStoppedNode()
      throws Exception {
    byte[] first = TestImages.bytes(31, 128 * TestImages.KiB);
    origin.put("img", first);
    ServerHarness a = node("a");
    ServerHarness c = node("c");
    assertThat(a.get(file("img")).body()).isEqualTo(first);
    assertThat(c.get(file("img")).body()).isEqualTo(first);
    await().atMost(WAIT).until(() -> c.cache().isCached(ImageId.of("img")));
    servers.remove(c);
    c.close();
    // Glance now describes another image: b passes over a's copy and fills from the origin,
    // which stalls half-way.
    byte[] second = TestImages.bytes(32, 2 * TestImages.MiB);
    Gate stall = origin.put("img", second).pauseAfter(TestImages.MiB);
    gates.add(stall);
    ServerHarness b = node("b");
    CompletableFuture<HttpResponse<byte[]>> onB = b.client().sendAsync(
        b.request(file("img")).GET().build(), BodyHandlers.ofByteArray());
    await().atMost(WAIT).until(stall::isReached);
    AdminApi api = new AdminApi(a);

    JsonNode filling = await().atMost(WAIT).until(
        () -> node(detail(api), b), node -> node != null && node.get("bytes").asLong() > 0);
    JsonNode detail = detail(api);

    assertThat(detail.get("nodes")).hasSize(2);
    JsonNode cached = node(detail, a);
    assertThat(cached.get("state").asText()).isEqualTo("cached");
    assertThat(cached.get("bytes").asLong()).isEqualTo(first.length);
    assertThat(cached.get("size").asLong()).isEqualTo(first.length);
    assertThat(Instant.parse(cached.get("last_heartbeat").asText()))
        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    assertThat(filling.get("state").asText()).isEqualTo("filling");
    assertThat(filling.get("bytes").asLong()).isBetween(1L, (long) TestImages.MiB);
    assertThat(filling.get("size").asLong()).isEqualTo(second.length);
    assertThat(filling.get("last_heartbeat").isTextual()).isTrue();
    // Without the detail (or with detail=false): Glance's bare list of the holders.
    assertThat(JSON.readTree(api.send("GET", "/v2/cache/nodes/img").body()))
        .containsExactly(JSON.getNodeFactory().textNode(url(a)));
    assertThat(api.send("GET", "/v2/cache/nodes/img?detail=false").body())
        .isEqualTo("[\"" + url(a) + "\"]");

    Cli table = cli(a, "nodes", "img", "--detail");

    assertThat(table.exitCode()).as(table.err()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("NODE").contains("STATE", "BYTES", "LAST HEARTBEAT");
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(url(a))
        .contains("cached", "128.0 KiB")
        // A heartbeat time, not necessarily the JSON's: a heartbeat may have ticked since.
        .containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"));
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(url(b))
        .contains("filling", " / 2.0 MiB"));
    assertThat(table.out()).doesNotContain(url(c));

    stall.release();
    assertThat(onB.get().body()).isEqualTo(second);
  }

  @Test
  void aDetailOtherThanTrueOrFalseIs400() throws Exception {
    origin.put("img", TestImages.bytes(33, 64 * TestImages.KiB));
    AdminApi api = new AdminApi(node("a"));

    HttpResponse<String> yes = api.send("GET", "/v2/cache/nodes/img?detail=yes");
    HttpResponse<String> twice = api.send("GET", "/v2/cache/nodes/img?detail=true&detail=true");

    assertThat(yes.statusCode()).isEqualTo(400);
    assertThat(yes.body()).contains("'detail' must be 'true' or 'false'");
    assertThat(twice.statusCode()).isEqualTo(400);
  }

  @Test
  void detailIs503WhileTheDatabaseIsAway() throws Exception {
    origin.put("img", TestImages.bytes(34, 64 * TestImages.KiB));
    TestPostgres own = TestPostgres.start();
    try {
      dbUrl = own.jdbcUrl();
      ServerHarness a = node("a");
      assertThat(a.get(file("img")).statusCode()).isEqualTo(200);
      AdminApi api = new AdminApi(a);
      assertThat(node(detail(api), a).get("state").asText()).isEqualTo("cached");

      own.stop();

      HttpResponse<String> away = api.send("GET", "/v2/cache/nodes/img?detail=true");
      assertThat(away.statusCode()).as(away.body()).isEqualTo(503);
      assertThat(a.get(file("img")).statusCode()).isEqualTo(200);
    } finally {
      own.close();
    }
  }

  // ---- helpers

  /** A fleet node in {@code <dir>/<name>} on a free loopback port, its URL that port's. */
  private ServerHarness node(String name) throws Exception {
    int port = FreePort.onLoopback();
    CacheConfig config = ServerHarness.config(dir.resolve(name))
        .driver(DriverKind.POSTGRES)
        .dbUrl(dbUrl)
        .nodeUrl("http://127.0.0.1:" + port)
        .fleet(Optional.of(new CacheConfig.Fleet(FLEET_TOKEN, Duration.ofSeconds(15), 4)))
        .build();
    ServerHarness server = ServerHarness.startOn(port, config, Optional.of(origin.glanceSpec()));
    servers.add(server);
    return server;
  }

  private static String url(ServerHarness node) {
    return node.uri("").toString();
  }

  /** {@code GET /v2/cache/nodes/img?detail=true}, which must answer 200. */
  private static JsonNode detail(AdminApi api) throws Exception {
    HttpResponse<String> response = api.send("GET", "/v2/cache/nodes/img?detail=true");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** The entry of {@code node} in a detail answer; null when it is not listed. */
  private static JsonNode node(JsonNode detail, ServerHarness node) {
    for (JsonNode entry : detail.get("nodes")) {
      if (entry.get("url").asText().equals(url(node))) {
        return entry;
      }
    }
    return null;
  }

  /** What {@code imagecache ARGS} printed against {@code node}, and its exit code. */
  private record Cli(int exitCode, String out, String err) {}

  private static Cli cli(ServerHarness node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", url(node), "--token", ServerHarness.ADMIN_TOKEN));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("serve must not run in a client test");
    }, Map.of());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(all.toArray(String[]::new));
    return new Cli(exitCode, out.toString(), err.toString());
  }
}
