package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imagecache.CacheConfig;
import io.imagecache.ImageCache;
import io.imagecache.ImageId;
import io.imagecache.OriginConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A cache on a temporary directory with the real server in front of it on a loopback port, and an
 * HTTP/1.1 client: what the data-path tests talk to. Closed (server, then cache) after each test.
 */
final class ServerHarness implements AutoCloseable {
  /** The bound of every wait in these tests. */
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String ADMIN_TOKEN = "test-admin-token";
  private static final int BLOCKING_THREADS = 16;

  private final ImageCache cache;
  private final ImageCacheServer server;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  private ServerHarness(ImageCache cache, ImageCacheServer server) {
    this.cache = cache;
    this.server = server;
  }

  /** Test defaults for a cache in {@code dir}: sqlite, no fsync, a quick hit flush. */
  static CacheConfig.Builder config(Path dir) {
    return CacheConfig.builder(dir).durable(false).flushInterval(Duration.ofMillis(100));
  }

  /** A cache in {@code dir} with the test defaults, fetching misses from {@code originSpec}. */
  static ServerHarness start(Path dir, String originSpec) throws Exception {
    return start(config(dir).build(), Optional.of(originSpec));
  }

  /** A cache opened with {@code config}, fetching misses from {@code originSpec} if given. */
  static ServerHarness start(CacheConfig config, Optional<String> originSpec) throws Exception {
    return start(config, originSpec, OriginTls.SYSTEM, server -> server);
  }

  /** As {@link #start(CacheConfig, Optional)}, holding clients to {@code limits}. */
  static ServerHarness start(CacheConfig config, Optional<String> originSpec, ClientLimits limits)
      throws Exception {
    return start(config, originSpec, OriginTls.SYSTEM, server -> server.clientLimits(limits));
  }

  /** As {@link #start(CacheConfig, Optional)}; {@code /readyz} asks the origin when asked to. */
  static ServerHarness start(CacheConfig config, Optional<String> originSpec,
      boolean readyzOrigin) throws Exception {
    return start(config, originSpec, OriginTls.SYSTEM,
        server -> server.readyzOrigin(readyzOrigin));
  }

  /**
   * As {@link #start(CacheConfig, Optional)}, with a TLS listener on any loopback port serving
   * {@code certificate} and {@code key} (clients need a certificate from {@code clientCa} when
   * given) when {@code certificate} is given, and HTTPS origins checked with {@code originTls}.
   */
  static ServerHarness start(CacheConfig config, Optional<String> originSpec,
      Optional<TestCa.Issued> certificate, Optional<Path> clientCa, OriginTls originTls)
      throws Exception {
    InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    Optional<ListenerTls> tls = certificate.map(issued -> new ListenerTls(anyPort,
        issued.certificate(), issued.key(), clientCa));
    return start(config, originSpec, originTls,
        server -> server.tls(tls).originTls(originTls));
  }

  /** A cache with a TLS listener serving {@code certificate}, holding clients to {@code limits}. */
  static ServerHarness start(CacheConfig config, Optional<String> originSpec,
      TestCa.Issued certificate, ClientLimits limits) throws Exception {
    InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    Optional<ListenerTls> tls = Optional.of(new ListenerTls(anyPort,
        certificate.certificate(), certificate.key(), Optional.empty()));
    return start(config, originSpec, OriginTls.SYSTEM,
        server -> server.tls(tls).clientLimits(limits));
  }

  /**
   * As {@link #start(CacheConfig, Optional)}, listening on loopback port {@code port} (for nodes
   * whose URL must be known before they start: a fleet's).
   */
  static ServerHarness startOn(int port, CacheConfig config, Optional<String> originSpec)
      throws Exception {
    return start(config, originSpec, OriginTls.SYSTEM, port, server -> server);
  }

  private static ServerHarness start(CacheConfig config, Optional<String> originSpec,
      OriginTls originTls, UnaryOperator<ImageCacheServer.Builder> settings) throws Exception {
    return start(config, originSpec, originTls, 0, settings);
  }

  private static ServerHarness start(CacheConfig config, Optional<String> originSpec,
      OriginTls originTls, int port, UnaryOperator<ImageCacheServer.Builder> settings)
      throws Exception {
    Optional<OriginConfig> origin = originSpec.map(spec -> new OriginConfig(spec,
        Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(20), Optional.empty())
        .withTls(originTls.isSystem() ? Optional.empty() : Optional.of(originTls.sslContext())));
    ImageCache cache = ImageCache.open(config, origin);
    try {
      InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      ImageCacheServer server = settings.apply(ImageCacheServer.builder(cache, listen, ADMIN_TOKEN)
          .blockingThreads(BLOCKING_THREADS)).start();
      return new ServerHarness(cache, server);
    } catch (Exception | Error e) {
      cache.close();
      throw e;
    }
  }

  ImageCache cache() {
    return cache;
  }

  /** The cache directory. */
  Path dir() {
    return cache.config().dir();
  }

  /** Client connections the server has admitted and not yet seen closed. */
  int openConnections() {
    return server.openConnections();
  }

  int port() {
    return server.address().getPort();
  }

  /** The TLS listener's port; fails when there is none. */
  int tlsPort() {
    return server.tlsAddress().orElseThrow().getPort();
  }

  /** The server itself. */
  ImageCacheServer server() {
    return server;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** The path of image {@code id}'s file: {@code /v2/images/{id}/file}. */
  static String file(String id) {
    return "/v2/images/" + id + "/file";
  }

  /** A request builder for {@code path} with the per-request timeout. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(WAIT);
  }

  /** GET {@code path} with {@code headers} (name, value, name, value…), the body in memory. */
  HttpResponse<byte[]> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), BodyHandlers.ofByteArray());
  }

  /** HEAD {@code path} with {@code headers}. */
  HttpResponse<Void> head(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path).method("HEAD", HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), BodyHandlers.discarding());
  }

  HttpClient client() {
    return client;
  }

  /** A raw HTTP/1.1 connection to the server, for what the JDK client hides or normalises. */
  RawHttp connect() throws IOException {
    return RawHttp.connect(port());
  }

  /** Files left in {@code incomplete/}: none once every fill has ended. */
  List<Path> incompleteFiles() throws IOException {
    Path incomplete = dir().resolve("incomplete");
    if (!Files.isDirectory(incomplete)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(incomplete)) {
      return files.toList();
    }
  }

  /** Asserts that image {@code id} is neither cached nor being cached, with no file of its own. */
  void assertNotCached(String id) throws IOException {
    ImageId image = ImageId.of(id);
    assertThat(cache.isCached(image)).as("%s cached", id).isFalse();
    assertThat(cache.isBeingCached(image)).as("%s being cached", id).isFalse();
    assertThat(dir().resolve(id)).as("file of %s in the cache directory", id).doesNotExist();
    assertThat(incompleteFiles()).as("files in incomplete/").isEmpty();
  }

  /**
   * Files under the cache directory this process has open, the metadata store and the lock file
   * aside: image files stay open only while a response or a fill uses them. Empty where
   * {@code /proc/self/fd} does not exist.
   */
  List<Path> openImageFiles() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return List.of();
    }
    Path dir = dir().toAbsolutePath();
    List<Path> open = new ArrayList<>();
    try (Stream<Path> links = Files.list(fds)) {
      for (Path link : (Iterable<Path>) links::iterator) {
        Path target;
        try {
          target = Files.readSymbolicLink(link);
        } catch (IOException e) {
          continue; // closed meanwhile
        }
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        if (target.startsWith(dir) && !name.startsWith("cache.db")
            && !name.equals("imagecache.lock")) {
          open.add(target);
        }
      }
    }
    return open;
  }

  /**
   * Stops the server and the cache, then checks that no image file is open any more: a response
   * that leaked its file, or its share of a file the cache held, keeps a descriptor open.
   */
  @Override
  public void close() throws IOException {
    try {
      server.close();
    } finally {
      cache.close();
    }
    await().atMost(WAIT).untilAsserted(
        () -> assertThat(openImageFiles()).as("image files still open").isEmpty());
  }
}
