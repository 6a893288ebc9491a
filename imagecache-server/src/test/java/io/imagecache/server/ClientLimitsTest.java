package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static io.imagecache.server.ServerHarness.file;
import static io.imagecache.server.TestImages.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits clients are held to: slow request heads (slowloris) closed by the header timeout
 * while other clients are served, idle keep-alive connections closed, a client that stops
 * reading a body closed while a slow but steady one is not, the connection limit answered with a
 * 503, oversize heads with 431 and 414.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientLimitsTest {
  private static final int STALLED = 500;
  private static final int BIG = 12 * MiB;
  private static final byte[] BIG_IMAGE = TestImages.bytes(7, BIG);
  private static final byte[] SMALL_IMAGE = TestImages.bytes(8, 64 * 1024);
  /** The start of a request head that never ends. */
  private static final byte[] PARTIAL_HEAD =
      "GET /v2/images/small/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"
          .getBytes(StandardCharsets.ISO_8859_1);

  @TempDir
  Path tmp;
  private Path originDir;
  private ServerHarness server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void images() throws IOException {
    originDir = Files.createDirectories(tmp.resolve("origin"));
    Files.write(originDir.resolve("big"), BIG_IMAGE);
    Files.write(originDir.resolve("small"), SMALL_IMAGE);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private ServerHarness start(ClientLimits limits) throws Exception {
    server = ServerHarness.start(ServerHarness.config(tmp.resolve("cache")).build(),
        Optional.of(originDir.toString()), limits);
    return server;
  }

  /** A socket to the server that sent {@code bytes} and reads with a bound of {@link #WAIT}. */
  private Socket open(byte[] bytes) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.setReceiveBufferSize(64 * 1024);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    socket.setSoTimeout((int) WAIT.toMillis());
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  @Test
  void stalledRequestHeadsDoNotKeepOtherClientsFromBeingServed() throws Exception {
    start(ClientLimits.DEFAULT);
    assertThat(server.get(file("small")).statusCode()).isEqualTo(200);
    for (int i = 0; i < STALLED; i++) {
      open(PARTIAL_HEAD);
    }
    await().atMost(WAIT).until(() -> server.openConnections() >= STALLED);

    for (int i = 0; i < 20; i++) {
      HttpResponse<byte[]> hit = server.get(file("small"));
      assertThat(hit.statusCode()).isEqualTo(200);
      assertThat(hit.body()).isEqualTo(SMALL_IMAGE);
    }
    assertThat(server.get(file("big")).body()).isEqualTo(BIG_IMAGE);
    for (Socket socket : sockets) {
      assertThat(socket.isClosed()).isFalse();
    }
    assertThat(server.openConnections()).isGreaterThanOrEqualTo(STALLED);
  }

  @Test
  void theHeaderTimeoutClosesSlowRequestHeads() throws Exception {
    start(ClientLimits.DEFAULT.withHeaderTimeout(Duration.ofSeconds(1)));
    for (int i = 0; i < STALLED; i++) {
      open(PARTIAL_HEAD);
    }
    List<Socket> stalled = List.copyOf(sockets);
    // A head sent byte by byte is closed too: the timeout runs from the accept, not per byte.
    Socket trickle = open("G".getBytes(StandardCharsets.ISO_8859_1));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> !trickleOpen(trickle));

    for (Socket socket : stalled) {
      assertThat(socket.getInputStream().read()).as("read after the header timeout").isEqualTo(-1);
    }
    assertThat(server.openConnections()).isZero();
    assertThat(metric("imagecache_connections_closed_total", "reason=\"header-timeout\""))
        .isEqualTo(STALLED + 1);
    assertThat(server.get(file("small")).statusCode()).isEqualTo(200);
  }

  private static boolean trickleOpen(Socket socket) {
    try {
      socket.getOutputStream().write('T');
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(ClientLimits.DEFAULT.withIdleTimeout(Duration.ofSeconds(1)));
    try (RawHttp connection = server.connect()) {
      connection.sendGet("/healthz");
      assertThat(connection.read().status()).isEqualTo(200);
      connection.sendGet("/healthz");
      assertThat(connection.read().status()).isEqualTo(200);

      assertThat(connection.isClosedByPeer()).isTrue();
    }
    assertThat(metric("imagecache_connections_closed_total", "reason=\"idle-timeout\""))
        .isEqualTo(1);
  }

  @Test
  void aClientThatStopsReadingIsClosedAfterTheWriteStallTimeout() throws Exception {
    start(ClientLimits.DEFAULT.withWriteStallTimeout(Duration.ofSeconds(1)));
    assertThat(server.get(file("big")).body()).isEqualTo(BIG_IMAGE);
    Socket stalled = open(get(file("big")).getBytes(StandardCharsets.ISO_8859_1));

    await().atMost(WAIT).until(() ->
        metric("imagecache_connections_closed_total", "reason=\"write-stall\"") == 1);
    long received = drain(stalled.getInputStream());
    assertThat(received).as("bytes the stalled client got").isLessThan(BIG);
  }

  @Test
  void aSlowButSteadyReaderIsNotClosed() throws Exception {
    Duration stall = Duration.ofSeconds(1);
    start(new ClientLimits(stall, stall, stall, 100, 32 * 1024));
    assertThat(server.get(file("big")).body()).isEqualTo(BIG_IMAGE);
    Socket slow = open(get(file("big")).getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = slow.getInputStream();
    long started = System.nanoTime();
    ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
    CompletableFuture<Long> read = new CompletableFuture<>();
    AtomicLong total = new AtomicLong();
    byte[] chunk = new byte[32 * 1024];
    try {
      // About 3 MB/s: the body takes several times the stall timeout.
      pace.scheduleAtFixedRate(() -> {
        try {
          int n = in.read(chunk);
          if (n < 0) {
            read.complete(total.get());
          } else {
            total.addAndGet(n);
          }
        } catch (IOException e) {
          read.completeExceptionally(e);
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      await().atMost(WAIT).until(() -> read.isDone() || total.get() > BIG);
      slow.shutdownOutput();
      // The whole body (and the head before it) arrived; the server keeps the connection open.
      assertThat(total.get()).isGreaterThan(BIG);
    } finally {
      pace.shutdownNow();
    }
    assertThat(read.isCompletedExceptionally()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(stall.multipliedBy(2));
    assertThat(metric("imagecache_connections_closed_total", "reason=\"write-stall\""))
        .isZero();
  }

  @Test
  void connectionsBeyondTheLimitGetA503AndTheOthersKeepBeingServed() throws Exception {
    int limit = 5;
    start(ClientLimits.DEFAULT.withMaxConnections(limit));
    List<RawHttp> admitted = new ArrayList<>();
    try {
      for (int i = 0; i < limit; i++) {
        RawHttp connection = server.connect();
        admitted.add(connection);
        connection.sendGet("/healthz");
        assertThat(connection.read().status()).isEqualTo(200);
      }
      try (RawHttp refused = server.connect()) {
        refused.sendGet("/healthz");
        RawHttp.Response answer = refused.read();
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.headers()).containsEntry("connection", "close")
            .containsEntry("retry-after", "1");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8))
            .contains("too many connections");
        assertThat(refused.isClosedByPeer()).isTrue();
      }
      for (RawHttp connection : admitted) {
        connection.sendGet(file("small"));
        assertThat(connection.read().body()).isEqualTo(SMALL_IMAGE);
      }
      admitted.remove(0).close();
      await().atMost(WAIT).until(() -> server.openConnections() == limit - 1);
      try (RawHttp again = server.connect()) {
        again.sendGet("/healthz");
        assertThat(again.read().status()).isEqualTo(200);
      }
    } finally {
      for (RawHttp connection : admitted) {
        connection.close();
      }
    }
    await().atMost(WAIT).until(() -> server.openConnections() == 0);
    assertThat(metric("imagecache_connections_refused_total", "reason=\"max-connections\""))
        .isEqualTo(1);
  }

  @Test
  void oversizeHeadersGet431AndAnOversizeRequestLine414() throws Exception {
    start(ClientLimits.DEFAULT.withMaxHeaderSize(4096));
    try (RawHttp connection = server.connect()) {
      connection.sendGet("/healthz", "X-Fill: " + "a".repeat(3000));
      assertThat(connection.read().status()).isEqualTo(200);
    }
    try (RawHttp connection = server.connect()) {
      connection.sendGet("/healthz", "X-Fill: " + "a".repeat(5000));
      RawHttp.Response answer = connection.read();
      assertThat(answer.status()).isEqualTo(431);
      assertThat(answer.headers()).containsEntry("connection", "close");
    }
    try (RawHttp connection = server.connect()) {
      connection.sendGet("/healthz?" + "q".repeat(9000));
      assertThat(connection.read().status()).isEqualTo(414);
    }
  }

  /** Reads to the end of the stream (or a reset); the bytes read. */
  private static long drain(InputStream in) {
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
      }
    } catch (IOException e) {
      // A reset ends it as well.
    }
    return total;
  }

  private double metric(String name, String label) throws Exception {
    String text = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
    Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*"
        + Pattern.quote(label) + "[^}]*\\} (\\S+)$", Pattern.MULTILINE).matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no sample " + name + " {" + label + "}");
    }
    return Double.parseDouble(matcher.group(1));
  }
}
