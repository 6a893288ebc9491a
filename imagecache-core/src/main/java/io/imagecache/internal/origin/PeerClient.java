package io.imagecache.internal.origin;

import io.imagecache.ImageId;
import io.imagecache.internal.fill.SourceResponse;
import io.imagecache.internal.store.ExpectedContent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.imagecache.internal.DaemonThreads;
import javax.net.ssl.SSLContext;

/**
 * Requests to the other cache nodes of a fleet: {@code GET <node>/v2/images/{id}/file} with the
 * fleet token in {@link #TOKEN_HEADER}, whole or from an offset ({@code Range: bytes=N-}). A peer
 * that stops sending for {@link #IDLE_TIMEOUT} is given up, so that a stalled peer costs a fill
 * seconds, not the minute an origin may take. An {@code https} peer is checked (host name too)
 * with the fleet's TLS context, which may present this node's certificate; a TLS failure is
 * logged by {@link OriginTlsFailures} and fails the request like any other. Thread-safe; one HTTP
 * client per peer, made on first use and kept until {@link #close}.
 */
final class PeerClient implements AutoCloseable {
  /** The request header that carries the fleet token; it marks a request as a peer's. */
  static final String TOKEN_HEADER = "X-Imagecache-Fleet-Token";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration FIRST_BYTE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

  private final String token;
  private final Optional<SSLContext> tls;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(DaemonThreads.named("imagecache-peer-http"));
  /** Clients by node URL; entries are never replaced. */
  private final Map<String, OriginHttp> clients = new ConcurrentHashMap<>();

  PeerClient(String token, Optional<SSLContext> tls) {
    this.token = HeaderValues.requireToken("fleet token", token);
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  /** The whole image from {@code node}, with what its headers say the bytes must be. */
  SourceResponse get(String node, ImageId id) throws IOException {
    OriginHttp http = client(node);
    HttpResponse<BodyChannel> response = http.send(request(http, node, id).GET().build(), id,
        info -> OriginHttp.lenientContentLength(info.headers()));
    try {
      ExpectedContent expected = ExpectedHeaders.expected(response.headers(), http.name());
      return SourceResponse.of(expected, response.body());
    } catch (IOException | RuntimeException e) {
      response.body().close();
      throw e;
    }
  }

  /** The image of {@code size} bytes from {@code node}, from byte {@code offset} on. */
  ReadableByteChannel rest(String node, ImageId id, long offset, long size) throws IOException {
    OriginHttp http = client(node);
    return http.sendRange(request(http, node, id)
        .header("Range", "bytes=" + offset + "-").GET().build(), id, offset, size,
        Optional.empty());
  }

  private HttpRequest.Builder request(OriginHttp http, String node, ImageId id) {
    return http.newRequest(URI.create(base(node) + "/v2/images/" + id.value() + "/file"))
        .header(TOKEN_HEADER, token);
  }

  private OriginHttp client(String node) {
    return clients.computeIfAbsent(node, url -> new OriginHttp("peer", URI.create(base(url)),
        OriginSettings.defaults()
            .withTimeouts(CONNECT_TIMEOUT, FIRST_BYTE_TIMEOUT, IDLE_TIMEOUT)
            .withTls(tls)
            .withResumeAttempts(0),
        executor));
  }

  private static String base(String node) {
    return node.endsWith("/") ? node.substring(0, node.length() - 1) : node;
  }

  @Override
  public void close() {
    clients.values().forEach(OriginHttp::close);
    executor.shutdownNow();
  }
}
