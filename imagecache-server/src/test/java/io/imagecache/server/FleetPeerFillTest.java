package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.imagecache.CacheConfig;
import io.imagecache.DriverKind;
import io.imagecache.FillProgress;
import io.imagecache.ImageId;
import io.imagecache.testing.FreePort;
import io.imagecache.testing.Gate;
import io.imagecache.testing.TestOrigin;
import io.imagecache.testing.TestPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Peer fill across a fleet: cache nodes as separate servers on loopback, each with its own cache
 * directory, sharing one real PostgreSQL database (a fresh schema per test) and one slow,
 * counting HTTP origin, so that their fills overlap.
 */
class FleetPeerFillTest {
  private static final String TOKEN = "fleet-test-token";
  private static final String PEER_HEADER = "X-Imagecache-Fleet-Token";

  @RegisterExtension
  static final TestPostgres POSTGRES = TestPostgres.perClass();

  @TempDir
  Path dir;
  private TestOrigin origin;
  private String dbUrl;
  /** Servers the test started and has not closed itself; closed after it. */
  private final List<ServerHarness> servers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    dbUrl = POSTGRES.freshSchema("fleet");
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerHarness server : servers) {
      server.close();
    }
    origin.close();
  }

  @Test
  void threeNodesOfTenClientsEachOnOneColdImageMakeOneOriginRequest() throws Exception {
    byte[] image = TestImages.bytes(14, 2 * TestImages.MiB);
    origin.put("img", image).rateLimit(2L * TestImages.MiB);
    List<ServerHarness> nodes = List.of(node("a", 4), node("b", 4), node("c", 4));

    List<CompletableFuture<HttpResponse<byte[]>>> downloads = new ArrayList<>();
    for (ServerHarness node : nodes) {
      for (int client = 0; client < 10; client++) {
        downloads.add(node.client().sendAsync(node.request(file("img")).GET().build(),
            BodyHandlers.ofByteArray()));
      }
    }

    for (CompletableFuture<HttpResponse<byte[]>> download : downloads) {
      HttpResponse<byte[]> response = download.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(image);
    }
    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
    for (ServerHarness node : nodes) {
      await().atMost(WAIT).until(() -> node.cache().isCached(ImageId.of("img")));
    }
  }

  @Test
  void bytesFromAPeerAreCountedAsPeerBytesNotOriginBytes() throws Exception {
    byte[] image = TestImages.bytes(24, 256 * TestImages.KiB);
    origin.put("img", image);
    ServerHarness a = node("a", 4);
    ServerHarness b = node("b", 4);

    assertThat(a.get(file("img")).body()).isEqualTo(image);
    assertThat(b.get(file("img")).body()).isEqualTo(image);

    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
    assertThat(a.cache().stats().originBytesRead()).isEqualTo(image.length);
    assertThat(a.cache().stats().peerBytesRead()).isZero();
    assertThat(b.cache().stats().originBytesRead()).isZero();
    assertThat(b.cache().stats().peerBytesRead()).isEqualTo(image.length);
    assertThat(a.cache().stats().originFetches()).isEqualTo(1);
    assertThat(b.cache().stats().originFetches()).as("a fill a peer served alone").isZero();
  }

  @Test
  void aPeerRequestWithoutTheFleetTokenIs401AndWithAWrongOne403() throws Exception {
    origin.put("img", TestImages.bytes(15, 64 * TestImages.KiB));
    ServerHarness a = node("a", 4);
    assertThat(a.get(file("img")).statusCode()).isEqualTo(200);

    HttpResponse<byte[]> empty = a.get(file("img"), PEER_HEADER, "");
    HttpResponse<byte[]> wrong = a.get(file("img"), PEER_HEADER, "not-the-token");
    HttpResponse<byte[]> right = a.get(file("img"), PEER_HEADER, TOKEN);

    assertThat(empty.statusCode()).isEqualTo(401);
    assertThat(empty.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(new String(wrong.body())).doesNotContain("not-the-token");
    assertThat(right.statusCode()).isEqualTo(200);
  }

  @Test
  void aPeerIsAnsweredFromAHitOrALiveFillOnlyNeverFromTheOrigin() throws Exception {
    origin.put("img", TestImages.bytes(16, 64 * TestImages.KiB));
    ServerHarness a = node("a", 4);

    HttpResponse<byte[]> cold = a.get(file("img"), PEER_HEADER, TOKEN);

    assertThat(cold.statusCode()).isEqualTo(404);
    assertThat(origin.requestCount("/images/img")).isZero();
    assertThat(a.cache().isBeingCached(ImageId.of("img"))).isFalse();
  }

  @Test
  void aPeerBeyondTheUploadLimitIsToldToComeBackLater() throws Exception {
    byte[] image = TestImages.bytes(17, 2 * TestImages.MiB);
    origin.put("img", image).rateLimit(TestImages.MiB);
    ServerHarness a = node("a", 1);
    CompletableFuture<HttpResponse<byte[]>> client = a.client().sendAsync(
        a.request(file("img")).GET().build(), BodyHandlers.ofByteArray());
    await().atMost(WAIT).until(() -> bytesFilled(a, "img") > 0);
    CompletableFuture<HttpResponse<byte[]>> firstPeer = a.client().sendAsync(
        a.request(file("img")).header(PEER_HEADER, TOKEN).GET().build(),
        BodyHandlers.ofByteArray());
    await().atMost(WAIT).until(() -> bytesFilled(a, "img") > 256 * TestImages.KiB);

    HttpResponse<byte[]> secondPeer = a.get(file("img"), PEER_HEADER, TOKEN);

    assertThat(secondPeer.statusCode()).isEqualTo(503);
    assertThat(secondPeer.headers().firstValue("Retry-After")).contains("1");
    assertThat(firstPeer.get().body()).isEqualTo(image);
    assertThat(client.get().body()).isEqualTo(image);
    assertThat(a.get(file("img"), PEER_HEADER, TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void aPeerKilledMidStreamIsReplacedByAnotherSourceWithoutAClientError() throws Exception {
    byte[] image = TestImages.bytes(18, 6 * TestImages.MiB);
    origin.put("img", image).rateLimit(2L * TestImages.MiB).ranges(Optional.empty());
    ServerHarness a = node("a", 1);
    ServerHarness b = node("b", 4);
    ServerHarness c = node("c", 4);
    CompletableFuture<HttpResponse<byte[]>> onA = download(a);
    await().atMost(WAIT).until(() -> bytesFilled(a, "img") > 0);
    CompletableFuture<HttpResponse<byte[]>> onB = download(b);
    await().atMost(WAIT).until(() -> bytesFilled(b, "img") > 0);
    // a sends to one peer only (b): c chains off b.
    CompletableFuture<HttpResponse<byte[]>> onC = download(c);
    await().atMost(WAIT).until(() -> bytesFilled(c, "img") > 512 * TestImages.KiB);

    servers.remove(b);
    b.close();

    assertThat(onC.get().statusCode()).isEqualTo(200);
    assertThat(onC.get().body()).isEqualTo(image);
    assertThat(onA.get().body()).isEqualTo(image);
    assertThat(onB).isCompletedExceptionally();
    // c finished from a, not from the origin.
    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
  }

  @Test
  void aSourceThatStallsBecauseItsOriginDoesIsWaitedForNotReplacedByASecondOriginFetch()
      throws Exception {
    byte[] image = TestImages.bytes(21, 2 * TestImages.MiB);
    Gate stall = origin.put("img", image).pauseAfter(TestImages.MiB);
    ServerHarness a = node("a", 4);
    ServerHarness b = node("b", 4);
    CompletableFuture<HttpResponse<byte[]>> onA = download(a);
    await().atMost(WAIT).until(stall::isReached);
    CompletableFuture<HttpResponse<byte[]>> onB = download(b);
    await().atMost(WAIT).until(() -> bytesFilled(b, "img") >= TestImages.MiB);
    // Past a peer's idle timeout b gives a up, finds no other source, and asks a again.
    ListAppender<ILoggingEvent> failovers = new ListAppender<>();
    Logger failoverLog = (Logger) LoggerFactory.getLogger("io.imagecache.internal.origin.PeerFillBody");
    failovers.start();
    failoverLog.addAppender(failovers);
    try {
      String resumedFromA = "image img: resumed at byte " + TestImages.MiB + " from peer "
          + a.uri("");
      await().atMost(WAIT).until(() -> {
        List<ILoggingEvent> seen;
        synchronized (failovers) { // the appender appends under its own lock
          seen = List.copyOf(failovers.list);
        }
        return seen.stream().anyMatch(event -> event.getFormattedMessage().equals(resumedFromA));
      });
    } finally {
      failoverLog.detachAppender(failovers);
    }

    stall.release();

    assertThat(onB.get().statusCode()).isEqualTo(200);
    assertThat(onB.get().body()).isEqualTo(image);
    assertThat(onA.get().body()).isEqualTo(image);
    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
  }

  @Test
  void aPeerThatSendsWrongBytesIsNotAskedAgainAndTheImageComesFromTheOrigin() throws Exception {
    byte[] image = TestImages.bytes(19, 256 * TestImages.KiB);
    origin.put("img", image);
    ServerHarness a = node("a", 4);
    ServerHarness b = node("b", 4);
    assertThat(a.get(file("img")).body()).isEqualTo(image);
    flipByte(a.dir().resolve("img"), 1000);

    // b streams a's bad copy: the digest check fails the fill, the client sees a broken body,
    // and b fills the image again by itself, from the origin.
    assertThatThrownBy(() -> b.get(file("img"))).isInstanceOf(IOException.class);
    await().atMost(WAIT).until(() -> b.cache().isCached(ImageId.of("img")));
    HttpResponse<byte[]> again = b.get(file("img"));

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(image);
    assertThat(origin.requestCount("/images/img")).isEqualTo(2);
  }

  @Test
  void aNodeChecksItsOwnClientWithGlanceEvenWhenAPeerHoldsTheImage() throws Exception {
    byte[] image = TestImages.bytes(20, 128 * TestImages.KiB);
    origin.put("img", image).visibleTo("alice");
    ServerHarness a = node("a", 4, origin.glanceSpec());
    ServerHarness b = node("b", 4, origin.glanceSpec());
    assertThat(a.get(file("img"), "X-Auth-Token", "alice").statusCode()).isEqualTo(200);

    HttpResponse<byte[]> mallory = b.get(file("img"), "X-Auth-Token", "mallory");
    HttpResponse<byte[]> alice = b.get(file("img"), "X-Auth-Token", "alice");

    assertThat(mallory.statusCode()).isEqualTo(404);
    assertThat(alice.statusCode()).isEqualTo(200);
    assertThat(alice.body()).isEqualTo(image);
    // b's bytes came from a: Glance sent the file once, to a.
    assertThat(origin.requestCount("/v2/images/img/file")).isEqualTo(1);
  }

  @Test
  void aPeerWhoseCopyContradictsGlanceIsPassedOverForTheOrigin() throws Exception {
    origin.put("img", TestImages.bytes(22, 128 * TestImages.KiB));
    ServerHarness a = node("a", 4, origin.glanceSpec());
    ServerHarness b = node("b", 4, origin.glanceSpec());
    assertThat(a.get(file("img")).statusCode()).isEqualTo(200);
    byte[] replaced = TestImages.bytes(23, 96 * TestImages.KiB);
    origin.put("img", replaced); // a holds a copy Glance no longer describes

    HttpResponse<byte[]> fromB = b.get(file("img"));

    assertThat(fromB.statusCode()).isEqualTo(200);
    assertThat(fromB.body()).isEqualTo(replaced);
    assertThat(origin.requestCount("/v2/images/img/file")).isEqualTo(2);
  }

  // ---- TLS between nodes

  @Test
  void aNodeFillsFromAPeerOverTlsCheckedWithTheFleetCa() throws Exception {
    assertSecondNodeFillsFromTheFirstOverTls(24, false);
  }

  @Test
  void aPeerRequiringClientCertificatesIsShownTheRequestingNodesOwn() throws Exception {
    assertSecondNodeFillsFromTheFirstOverTls(25, true);
  }

  /** Node b fills from node a over TLS; with {@code mutual} a wants client certificates. */
  private void assertSecondNodeFillsFromTheFirstOverTls(int seed, boolean mutual)
      throws Exception {
    byte[] image = TestImages.bytes(seed, 256 * TestImages.KiB);
    origin.put("img", image);
    TestCa ca = TestCa.create(dir.resolve("ca"), "fleet");
    ServerHarness a = tlsNode("a", ca, Optional.of(ca.certificate()),
        mutual ? Optional.of(ca.certificate()) : Optional.empty());
    ServerHarness b = tlsNode("b", ca, Optional.of(ca.certificate()), Optional.empty());
    assertThat(a.get(file("img")).body()).isEqualTo(image);

    HttpResponse<byte[]> fromB = b.get(file("img"));

    assertThat(fromB.statusCode()).isEqualTo(200);
    assertThat(fromB.body()).isEqualTo(image);
    assertThat(origin.requestCount("/images/img")).isEqualTo(1);
  }

  @Test
  void aNodeThatCannotVerifyItsPeerLogsItAndFillsFromTheOriginWithoutAClientError()
      throws Exception {
    byte[] image = TestImages.bytes(26, 256 * TestImages.KiB);
    origin.put("img", image);
    TestCa ca = TestCa.create(dir.resolve("ca"), "fleet");
    ServerHarness a = tlsNode("a", ca, Optional.of(ca.certificate()), Optional.empty());
    ServerHarness b = tlsNode("b", ca, Optional.empty(), Optional.empty()); // no fleet-ca-file
    assertThat(a.get(file("img")).body()).isEqualTo(image);
    ListAppender<ILoggingEvent> tlsLog = new ListAppender<>();
    Logger failures =
        (Logger) LoggerFactory.getLogger("io.imagecache.internal.origin.OriginTlsFailures");
    tlsLog.start();
    failures.addAppender(tlsLog);
    HttpResponse<byte[]> fromB;
    try {
      fromB = b.get(file("img"));
    } finally {
      failures.detachAppender(tlsLog);
    }

    assertThat(fromB.statusCode()).isEqualTo(200);
    assertThat(fromB.body()).isEqualTo(image);
    assertThat(origin.requestCount("/images/img")).isEqualTo(2);
    List<String> logged;
    synchronized (tlsLog) {
      logged = tlsLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
    assertThat(logged).anyMatch(line -> line.startsWith(
        "TLS with peer https://127.0.0.1:" + a.tlsPort() + " failed"));
  }

  // ---- helpers

  /**
   * A fleet node whose URL is its TLS listener's, serving a certificate of {@code ca} (clients
   * need one from {@code clientCa} when given); peers are checked with {@code fleetCa} besides the
   * system's CAs and shown the node's certificate, as serve does with fleet-ca-file.
   */
  private ServerHarness tlsNode(String name, TestCa ca, Optional<Path> fleetCa,
      Optional<Path> clientCa) throws Exception {
    TestCa.Issued certificate = ca.issue(name, "ec", TestCa.KeyForm.PKCS8);
    int tlsPort = FreePort.onLoopback();
    OriginTls peers = new OriginTls(fleetCa, Optional.of(certificate.certificate()),
        Optional.of(certificate.key()));
    CacheConfig config = ServerHarness.config(dir.resolve(name))
        .driver(DriverKind.POSTGRES)
        .dbUrl(dbUrl)
        .nodeUrl("https://127.0.0.1:" + tlsPort)
        .fleet(Optional.of(new CacheConfig.Fleet(TOKEN, Duration.ofSeconds(15), 4,
            Optional.of(peers.sslContext()))))
        .build();
    ServerHarness server = ServerHarness.startOnTls(tlsPort, config,
        Optional.of(origin.httpTemplate()), certificate, clientCa);
    servers.add(server);
    return server;
  }

  /** A fleet node in {@code <dir>/<name>} on a free loopback port, its URL that port's. */
  private ServerHarness node(String name, int peerUploads) throws Exception {
    return node(name, peerUploads, origin.httpTemplate());
  }

  /** As {@link #node(String, int)}, filling misses from {@code originSpec}. */
  private ServerHarness node(String name, int peerUploads, String originSpec) throws Exception {
    int port = FreePort.onLoopback();
    CacheConfig config = ServerHarness.config(dir.resolve(name))
        .driver(DriverKind.POSTGRES)
        .dbUrl(dbUrl)
        .nodeUrl("http://127.0.0.1:" + port)
        .fleet(Optional.of(new CacheConfig.Fleet(TOKEN, Duration.ofSeconds(15), peerUploads)))
        .build();
    ServerHarness server = ServerHarness.startOn(port, config, Optional.of(originSpec));
    servers.add(server);
    return server;
  }

  private static CompletableFuture<HttpResponse<byte[]>> download(ServerHarness node) {
    return node.client().sendAsync(node.request(file("img")).GET().build(),
        BodyHandlers.ofByteArray());
  }

  /** Bytes the node's live fill of {@code id} has written; 0 without one. */
  private static long bytesFilled(ServerHarness node, String id) {
    return node.cache().activeFills().stream()
        .filter(fill -> fill.imageId().value().equals(id))
        .mapToLong(FillProgress::bytesWritten).max().orElse(0);
  }

  /** Flips the bits of the byte at {@code offset} of a committed (read-only) image file. */
  private static void flipByte(Path file, long offset) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      one.put(0, (byte) ~one.get(0)).rewind();
      channel.write(one, offset);
    }
  }
}
