package io.imagecache.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Glance pass-through end to end on loopback: a real origin ({@code HttpServer} or a scripted
 * socket), a tiny Netty server whose only route is the proxy, and {@code java.net.http} as client.
 * Every test ends by checking that the proxy's channels released every buffer they allocated.
 */
class GlanceProxyTest {
  private static final int MiB = 1024 * 1024;
  private static final long BIG_BODY = 64L * MiB;
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Allocator of the proxy's channels, inbound and upstream: its counters are exact. */
  private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
  private final AtomicInteger connectionsAccepted = new AtomicInteger();
  private final Queue<Future<Void>> completions = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<OriginRequest> originRequests = new LinkedBlockingQueue<>();
  private final ExecutorService originThreads = Executors.newCachedThreadPool(daemon());
  private EventLoopGroup group;
  private Channel proxyServer;
  private HttpServer origin;
  private ScriptedOrigin scripted;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stopEverything() throws Exception {
    if (proxyServer != null) {
      proxyServer.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (origin != null) {
      origin.stop(0);
    }
    if (scripted != null) {
      scripted.close();
    }
    originThreads.shutdownNow();
    assertThat(originThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(allocator.metric().usedDirectMemory() + allocator.metric().usedHeapMemory())
        .as("bytes still held by the proxy's buffers").isZero();
  }

  // ---- pass-through ----

  @Test
  void jsonResponsesPassThroughWithStatusHeadersAndBody() throws Exception {
    URI originUri = startOrigin(exchange -> {
      byte[] requestBody = record(exchange);
      if (exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Location", "http://glance/v2/images/abc");
        respond(exchange, 201, requestBody);
      } else {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Openstack-Request-Id", "req-404");
        byte[] body = "{\"message\": \"No image found with ID missing\"}".getBytes(UTF_8);
        exchange.sendResponseHeaders(404, 0); // chunked
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    HttpResponse<String> created = client.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"name\": \"cirros\"}")).build(), BodyHandlers.ofString());
    HttpResponse<String> missing = client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images/missing?fields=id")).build(), BodyHandlers.ofString());

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).isEqualTo("{\"name\": \"cirros\"}");
    assertThat(created.headers().firstValue("Location")).hasValue("http://glance/v2/images/abc");
    assertThat(created.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"message\": \"No image found with ID missing\"}");
    assertThat(missing.headers().firstValue("X-Openstack-Request-Id")).hasValue("req-404");
    OriginRequest post = originRequests.poll(10, TimeUnit.SECONDS);
    OriginRequest get = originRequests.poll(10, TimeUnit.SECONDS);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.uri()).isEqualTo("/v2/images");
    assertThat(new String(post.body(), UTF_8)).isEqualTo("{\"name\": \"cirros\"}");
    assertThat(post.headers().getFirst("Content-Length")).isEqualTo("18");
    assertThat(get.method()).isEqualTo("GET");
    assertThat(get.uri()).isEqualTo("/v2/images/missing?fields=id");
  }

  @Test
  void authTokenIsForwardedAndHostNamesTheOrigin() throws Exception {
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images")).header("X-Auth-Token", "gAAAAABk-token").build(),
        BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    OriginRequest seen = originRequests.poll(10, TimeUnit.SECONDS);
    assertThat(seen.headers().getFirst("X-Auth-Token")).isEqualTo("gAAAAABk-token");
    assertThat(seen.headers().get("Host")).containsExactly("127.0.0.1:" + originUri.getPort());
  }

  @Test
  void hopByHopHeadersStayOnTheirHop() throws Exception {
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);
    // An HTTP/2-capable client over http:// asks for an h2c upgrade: Connection, Upgrade and
    // HTTP2-Settings (named in Connection) are all hop-by-hop.
    HttpClient upgrading = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    HttpResponse<String> response = upgrading.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/schemas/image"))
        .header("Keep-Alive", "timeout=5")
        .header("Proxy-Authorization", "Basic c2VjcmV0")
        .header("TE", "trailers")
        .header("Trailer", "X-Checksum")
        .header("X-Image-Meta-Keep", "yes").build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    Headers seen = originRequests.poll(10, TimeUnit.SECONDS).headers();
    assertThat(seen.keySet()).map(String::toLowerCase)
        .doesNotContain("upgrade", "http2-settings", "keep-alive", "proxy-authorization", "te",
            "trailer")
        .contains("x-image-meta-keep");
    assertThat(seen.get("Connection")).containsExactly("close");
  }

  @Test
  void basePathOfTheOriginPrefixesTheRequestPath() throws Exception {
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(URI.create(
        "glance+http://127.0.0.1:" + originUri.getPort() + "/image/")), Transport.NIO);

    client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images?limit=2&marker=a%20b")).build(), BodyHandlers.ofString());

    assertThat(originRequests.poll(10, TimeUnit.SECONDS).uri())
        .isEqualTo("/image/v2/images?limit=2&marker=a%20b");
  }

  @Test
  void keepAliveClientConnectionCarriesSeveralProxiedRequests() throws Exception {
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    for (String path : List.of("/v2/images/one", "/v2/images/two")) {
      HttpResponse<String> response = client.send(
          java.net.http.HttpRequest.newBuilder(proxy.resolve(path)).build(),
          BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    assertThat(connectionsAccepted).hasValue(1);
    assertThat(originRequests).extracting(OriginRequest::uri)
        .containsExactly("/v2/images/one", "/v2/images/two");
    await().atMost(WAIT).until(() -> completions.stream().filter(Future::isDone).count() == 2);
    assertThat(completions).hasSize(2).allMatch(Future::isSuccess);
  }

  @Test
  void worksOnTheNativeEpollTransport() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll is not available here");
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.EPOLL);

    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images")).PUT(BodyPublishers.ofString("epoll")).build(),
        BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("epoll");
  }

  @Test
  void expectContinueIsRelayedFromTheOrigin() throws Exception {
    // HttpServer answers Expect: 100-continue itself before the handler reads the body.
    URI originUri = startOrigin(exchange -> respond(exchange, 200, record(exchange)));
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    HttpResponse<String> response = client.sendAsync(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images/abc/file")).expectContinue(true)
        .PUT(BodyPublishers.ofString("after the interim response")).build(),
        BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("after the interim response");
    assertThat(originRequests.poll(10, TimeUnit.SECONDS).headers().getFirst("Expect"))
        .isEqualToIgnoringCase("100-continue");
  }

  @Test
  void answerBeforeTheUploadEndsIsRelayedAndClosesTheClientConnection() throws Exception {
    // Glance refuses an upload with a bad token without reading its body.
    scripted = new ScriptedOrigin(true, ("HTTP/1.1 401 Unauthorized\r\nContent-Length: 14\r\n"
        + "Content-Type: text/plain\r\n\r\nbad auth token").getBytes(US_ASCII));
    URI proxy = startProxy(new GlanceProxy(scripted.uri()), Transport.NIO);

    String answer;
    try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("PUT /v2/images/abc/file HTTP/1.1\r\nHost: "
          + proxy.getAuthority() + "\r\nX-Auth-Token: wrong\r\n"
          + "Content-Length: 8388608\r\n\r\n").getBytes(US_ASCII));
      answer = new String(socket.getInputStream().readAllBytes(), US_ASCII);
    }

    assertThat(answer).startsWith("HTTP/1.1 401 Unauthorized\r\n")
        .containsIgnoringCase("connection: close\r\n")
        .endsWith("\r\n\r\nbad auth token");
    await().atMost(WAIT).until(() -> completions.size() == 1 && completions.peek().isDone());
    assertThat(completions.peek().isSuccess()).isTrue();
  }

  // ---- large bodies ----

  @Test
  void largeUploadStreamsThroughWithBoundedBuffering() throws Exception {
    CountDownLatch resume = new CountDownLatch(1);
    AtomicLong originCount = new AtomicLong();
    AtomicReference<String> originMd5 = new AtomicReference<>();
    URI originUri = startOrigin(exchange -> {
      MessageDigest md5 = md5();
      byte[] buffer = new byte[64 * 1024];
      InputStream in = exchange.getRequestBody();
      long count = 0;
      for (int n; count < MiB && (n = in.read(buffer)) >= 0; count += n) {
        md5.update(buffer, 0, n);
      }
      // Stop reading: the proxy must stop reading the client instead of buffering the body.
      awaitLatch(resume);
      for (int n; (n = in.read(buffer)) >= 0; count += n) {
        md5.update(buffer, 0, n);
      }
      originCount.set(count);
      originMd5.set(HexFormat.of().formatHex(md5.digest()));
      record(exchange, exchange.getRequestHeaders(), new byte[0]);
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);
    PatternStream upload = new PatternStream(BIG_BODY);

    var response = client.sendAsync(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images/big/file"))
        .header("Content-Type", "application/octet-stream")
        .PUT(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> upload), BIG_BODY))
        .build(), BodyHandlers.discarding());
    awaitStalled(upload.produced);
    assertThat(upload.produced.get()).isLessThan(BIG_BODY);
    assertThat(bufferedByProxy()).isLessThan(16L * MiB);
    resume.countDown();

    assertThat(response.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    assertThat(originCount).hasValue(BIG_BODY);
    assertThat(originMd5).hasValue(upload.md5Hex());
    assertThat(originRequests.poll(10, TimeUnit.SECONDS).headers().getFirst("Content-Length"))
        .isEqualTo(Long.toString(BIG_BODY));
  }

  @Test
  void chunkedUploadIsForwardedChunked() throws Exception {
    URI originUri = startOrigin(exchange -> {
      MessageDigest md5 = md5();
      byte[] buffer = new byte[64 * 1024];
      long count = 0;
      try (InputStream in = exchange.getRequestBody()) {
        for (int n; (n = in.read(buffer)) >= 0; count += n) {
          md5.update(buffer, 0, n);
        }
      }
      record(exchange, exchange.getRequestHeaders(),
          (count + " " + HexFormat.of().formatHex(md5.digest())).getBytes(UTF_8));
      respond(exchange, 204, new byte[0]);
    });
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);
    PatternStream upload = new PatternStream(8L * MiB);

    HttpResponse<Void> response = client.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images/chunked/file"))
        .PUT(BodyPublishers.ofInputStream(() -> upload)).build(), BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(204);
    OriginRequest seen = originRequests.poll(10, TimeUnit.SECONDS);
    assertThat(seen.headers().getFirst("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
    assertThat(seen.headers().containsKey("Content-Length")).isFalse();
    assertThat(new String(seen.body(), UTF_8)).isEqualTo(8 * MiB + " " + upload.md5Hex());
  }

  @Test
  void largeDownloadStreamsThroughWithBoundedBuffering() throws Exception {
    AtomicLong originProduced = new AtomicLong();
    URI originUri = startOrigin(exchange -> {
      PatternStream image = new PatternStream(BIG_BODY);
      exchange.sendResponseHeaders(200, BIG_BODY);
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = exchange.getResponseBody()) {
        for (int n; (n = image.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          originProduced.addAndGet(n);
        }
      }
    });
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    HttpResponse<InputStream> response = client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images/big/file")).build(), BodyHandlers.ofInputStream());
    MessageDigest md5 = md5();
    long received;
    try (InputStream body = response.body()) {
      byte[] first = body.readNBytes(MiB);
      md5.update(first);
      // The client stops reading: the proxy must stop reading the origin instead of buffering.
      awaitStalled(originProduced);
      assertThat(originProduced.get()).isLessThan(BIG_BODY);
      assertThat(bufferedByProxy()).isLessThan(16L * MiB);
      received = first.length + drain(body, md5);
    }

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(BIG_BODY);
    assertThat(received).isEqualTo(BIG_BODY);
    PatternStream expected = new PatternStream(BIG_BODY);
    drain(expected, md5());
    assertThat(HexFormat.of().formatHex(md5.digest())).isEqualTo(expected.md5Hex());
  }

  // ---- failures ----

  @Test
  void unreachableOriginIsAnswered502WithTheReason() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI proxy = startProxy(new GlanceProxy(URI.create("glance+http://127.0.0.1:" + closedPort)),
        Transport.NIO);

    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images")).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo(
        "Glance origin unreachable: connection to 127.0.0.1:" + closedPort + " refused\n");
    await().atMost(WAIT).until(() -> completions.size() == 1 && completions.peek().isDone());
    assertThat(completions.peek().isSuccess()).isTrue();
  }

  @Test
  void tlsHandshakeFailureIsAnswered502() throws Exception {
    // A plain HTTP server answers the TLS client hello with plain text.
    scripted = new ScriptedOrigin(false,
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII));
    int port = scripted.uri().getPort();
    URI proxy = startProxy(new GlanceProxy(URI.create("glance+https://127.0.0.1:" + port)),
        Transport.NIO);

    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images")).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo(
        "Glance origin unreachable: origin TLS failure with 127.0.0.1:" + port + "\n");
  }

  @Test
  void originClosingBeforeAResponseIsAnswered502() throws Exception {
    scripted = new ScriptedOrigin(true, new byte[0]);
    URI proxy = startProxy(new GlanceProxy(scripted.uri()), Transport.NIO);

    HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
        proxy.resolve("/v2/images")).build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).isEqualTo("Glance origin unreachable: connection to 127.0.0.1:"
        + scripted.uri().getPort() + " closed before a response\n");
  }

  @Test
  void originClosingMidBodyBreaksTheClientTransfer() throws Exception {
    ByteArrayOutputStream script = new ByteArrayOutputStream();
    script.write("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n".getBytes(US_ASCII));
    script.write(new byte[100 * 1024]);
    scripted = new ScriptedOrigin(true, script.toByteArray());
    URI proxy = startProxy(new GlanceProxy(scripted.uri()), Transport.NIO);

    assertThatThrownBy(() -> client.send(java.net.http.HttpRequest.newBuilder(
            proxy.resolve("/v2/images/x/file")).build(), BodyHandlers.ofByteArray()))
        .isInstanceOf(IOException.class);
    await().atMost(WAIT).until(() -> completions.size() == 1 && completions.peek().isDone());
    assertThat(completions.peek().isSuccess()).isFalse();
  }

  @Test
  void clientClosingMidResponseClosesTheOriginConnection() throws Exception {
    CountDownLatch originSawBrokenConnection = new CountDownLatch(1);
    URI originUri = startOrigin(exchange -> {
      long endless = 1024L * MiB;
      exchange.sendResponseHeaders(200, endless);
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = exchange.getResponseBody()) {
        for (long sent = 0; sent < endless; sent += buffer.length) {
          out.write(buffer);
        }
      } catch (IOException e) {
        originSawBrokenConnection.countDown();
      }
    });
    URI proxy = startProxy(new GlanceProxy(originUri), Transport.NIO);

    try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /v2/images/endless/file HTTP/1.1\r\nHost: "
          + proxy.getAuthority() + "\r\n\r\n").getBytes(US_ASCII));
      assertThat(socket.getInputStream().readNBytes(256 * 1024)).hasSize(256 * 1024);
    }

    assertThat(originSawBrokenConnection.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await().atMost(WAIT).until(() -> completions.size() == 1 && completions.peek().isDone());
    assertThat(completions.peek().isSuccess()).isFalse();
  }

  // ---- one exchange between two EmbeddedChannels ----

  @Test
  void embeddedExchangeRewritesBothHeadsAndReleasesEverything() {
    EmbeddedChannel upstream = new EmbeddedChannel();
    GlanceProxy proxy = GlanceProxy.withConnector(
        URI.create("glance+http://glance.example:9292/image"), Optional.empty(),
        (inbound, pipeline) -> {
          upstream.pipeline().addLast(pipeline);
          return upstream.newSucceededFuture();
        });
    EmbeddedChannel inbound = new EmbeddedChannel(new HttpServerCodec(),
        new ProxyOnlyRouter(proxy, completions));

    inbound.writeInbound(ascii("PUT /v2/images/abc/file HTTP/1.1\r\n"
        + "Host: cache.example:9292\r\n"
        + "Connection: keep-alive, X-Hop\r\n"
        + "X-Hop: secret\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "Proxy-Authorization: Basic c2VjcmV0\r\n"
        + "TE: trailers\r\n"
        + "Upgrade: h2c\r\n"
        + "X-Auth-Token: tok\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n"));
    String sentUpstream = drainOutbound(upstream);
    upstream.writeInbound(ascii("HTTP/1.1 201 Created\r\n"
        + "Content-Type: application/json\r\n"
        + "Connection: keep-alive, X-Secret\r\n"
        + "X-Secret: s\r\n"
        + "Keep-Alive: timeout=5\r\n"
        + "Proxy-Authenticate: Basic\r\n"
        + "X-Openstack-Request-Id: req-1\r\n"
        + "Content-Length: 2\r\n\r\n{}"));
    String sentToClient = drainOutbound(inbound);

    assertThat(sentUpstream).startsWith("PUT /image/v2/images/abc/file HTTP/1.1\r\n")
        .containsIgnoringCase("host: glance.example:9292\r\n")
        .containsIgnoringCase("connection: close\r\n")
        .contains("X-Auth-Token: tok\r\n", "Transfer-Encoding: chunked\r\n")
        .doesNotContain("X-Hop", "Keep-Alive", "Proxy-Authorization", "TE:", "Upgrade",
            "cache.example")
        .endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    assertThat(sentToClient).startsWith("HTTP/1.1 201 Created\r\n")
        .contains("X-Openstack-Request-Id: req-1\r\n", "Content-Length: 2\r\n",
            "Content-Type: application/json\r\n")
        .doesNotContain("X-Secret", "Keep-Alive", "Proxy-Authenticate")
        .endsWith("\r\n\r\n{}");
    assertThat(completions).singleElement().matches(Future::isSuccess);
    assertThat(upstream.isOpen()).isFalse();
    assertThat(inbound.isOpen()).isTrue();
    assertThat(inbound.config().isAutoRead()).isTrue();
    assertThat(upstream.finishAndReleaseAll()).isFalse();
    assertThat(inbound.finishAndReleaseAll()).isFalse();
  }

  @Test
  void embeddedExchangeAbortsTheClientWhenTheOriginDiesMidBody() {
    EmbeddedChannel upstream = new EmbeddedChannel();
    GlanceProxy proxy = GlanceProxy.withConnector(URI.create("http://glance.example"),
        Optional.empty(), (inbound, pipeline) -> {
          upstream.pipeline().addLast(pipeline);
          return upstream.newSucceededFuture();
        });
    EmbeddedChannel inbound = new EmbeddedChannel(new HttpServerCodec(),
        new ProxyOnlyRouter(proxy, completions));

    inbound.writeInbound(ascii("GET /v2/images/abc/file HTTP/1.1\r\nHost: cache\r\n\r\n"));
    assertThat(drainOutbound(upstream)).startsWith("GET /v2/images/abc/file HTTP/1.1\r\n")
        .containsIgnoringCase("host: glance.example\r\n");
    upstream.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"));
    upstream.close();

    assertThat(drainOutbound(inbound)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhalf");
    assertThat(inbound.isOpen()).isFalse();
    assertThat(completions).singleElement().matches(done -> done.cause() != null);
    assertThat(upstream.finishAndReleaseAll()).isFalse();
    assertThat(inbound.finishAndReleaseAll()).isFalse();
  }

  @Test
  void embeddedExchangeAnswers502WhenTheConnectionCannotBeOpened() {
    EmbeddedChannel upstream = new EmbeddedChannel();
    GlanceProxy proxy = GlanceProxy.withConnector(URI.create("http://glance.example:9292"),
        Optional.empty(),
        (inbound, pipeline) ->
            upstream.newFailedFuture(new ConnectException("Connection refused")));
    EmbeddedChannel inbound = new EmbeddedChannel(new HttpServerCodec(),
        new ProxyOnlyRouter(proxy, completions));

    inbound.writeInbound(ascii("GET /v2/images HTTP/1.1\r\nHost: cache\r\n\r\n"));

    assertThat(drainOutbound(inbound)).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
        .endsWith("Glance origin unreachable: connection to glance.example:9292 refused\n");
    assertThat(inbound.isOpen()).isTrue();
    assertThat(completions).singleElement().matches(Future::isSuccess);
    assertThat(upstream.finishAndReleaseAll()).isFalse();
    assertThat(inbound.finishAndReleaseAll()).isFalse();
  }

  // ---- fixtures ----

  /** Stands in for the request router: every request goes to the proxy. */
  static final class ProxyOnlyRouter extends ChannelInboundHandlerAdapter {
    private final GlanceProxy proxy;
    private final Queue<Future<Void>> completions;
    /** The exchange being fed request contents; event loop only. */
    private ProxyExchange exchange;

    ProxyOnlyRouter(GlanceProxy proxy, Queue<Future<Void>> completions) {
      this.proxy = proxy;
      this.completions = completions;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        ProxyExchange started = proxy.start(ctx, request, RequestTarget.parse(request.uri()));
        exchange = started;
        completions.add(started.completion());
        started.completion().addListener(done -> {
          if (exchange == started) {
            exchange = null;
          }
        });
      } else if (msg instanceof HttpContent content && exchange != null) {
        exchange.content(content);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  /** A request as the origin saw it. */
  record OriginRequest(String method, String uri, Headers headers, byte[] body) {}

  /** Deterministic bytes of a given length, generated as read, with their MD5. */
  static final class PatternStream extends InputStream {
    final AtomicLong produced = new AtomicLong();
    private final long length;
    private final MessageDigest md5 = md5();

    PatternStream(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
      long position = produced.get();
      if (position >= length) {
        return -1;
      }
      int n = (int) Math.min(count, length - position);
      for (int i = 0; i < n; i++) {
        long at = position + i;
        buffer[offset + i] = (byte) (at * 131 + (at >>> 16));
      }
      md5.update(buffer, offset, n);
      produced.addAndGet(n);
      return n;
    }

    String md5Hex() {
      return HexFormat.of().formatHex(md5.digest());
    }
  }

  /**
   * An origin on a raw socket for faults {@code HttpServer} cannot script: accepts one
   * connection, reads the request head (unless told not to), writes {@code script}, ends its
   * side of the connection and reads until the proxy closes its own.
   */
  static final class ScriptedOrigin implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;

    ScriptedOrigin(boolean readHead, byte[] script) throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      server.setSoTimeout(30_000);
      thread = new Thread(() -> serveOnce(readHead, script), "scripted-origin");
      thread.setDaemon(true);
      thread.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void serveOnce(boolean readHead, byte[] script) {
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(US_ASCII);
        for (int i = 0; readHead && i < 64 * 1024 && matched < end.length; i++) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        socket.getOutputStream().write(script);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        // Closing with unread input would reset the connection: wait for the proxy to close.
        byte[] sink = new byte[8192];
        for (long total = 0; total < 64 * MiB; ) {
          int n = in.read(sink);
          if (n < 0) {
            return;
          }
          total += n;
        }
      } catch (IOException e) {
        // The test sees the consequence through the proxy; nothing to report from here.
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
      thread.join(10_000);
    }
  }

  /** Starts the Netty server whose only route is {@code proxy}; returns its base URI. */
  private URI startProxy(GlanceProxy proxy, Transport transport) {
    group = transport.newGroup(1);
    proxyServer = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .childOption(ChannelOption.ALLOCATOR, allocator)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            connectionsAccepted.incrementAndGet();
            channel.pipeline().addLast(new HttpServerCodec(),
                new ProxyOnlyRouter(proxy, completions));
          }
        })
        .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    InetSocketAddress address = (InetSocketAddress) proxyServer.localAddress();
    return URI.create("http://127.0.0.1:" + address.getPort());
  }

  /** Starts an {@code HttpServer} origin answering every path with {@code handler}. */
  private URI startOrigin(HttpHandler handler) throws IOException {
    origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    origin.createContext("/", exchange -> {
      try {
        handler.handle(exchange);
      } finally {
        exchange.close();
      }
    });
    origin.setExecutor(originThreads);
    origin.start();
    return URI.create("http://127.0.0.1:" + origin.getAddress().getPort());
  }

  private byte[] record(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    record(exchange, exchange.getRequestHeaders(), body);
    return body;
  }

  private void record(HttpExchange exchange, Headers headers, byte[] body) {
    Headers copy = new Headers();
    copy.putAll(headers);
    originRequests.add(new OriginRequest(exchange.getRequestMethod(),
        exchange.getRequestURI().toString(), copy, body));
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Waits until {@code counter} stops moving: a side of the transfer is held back. */
  private static void awaitStalled(AtomicLong counter) {
    AtomicLong previous = new AtomicLong(-1);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
        .until(() -> previous.getAndSet(counter.get()) == counter.get());
  }

  private long bufferedByProxy() {
    return allocator.metric().usedDirectMemory() + allocator.metric().usedHeapMemory();
  }

  private static long drain(InputStream in, MessageDigest md5) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; total += n) {
      md5.update(buffer, 0, n);
    }
    return total;
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("test never released the origin");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, US_ASCII);
  }

  private static String drainOutbound(EmbeddedChannel channel) {
    StringBuilder text = new StringBuilder();
    for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
      ByteBuf buf = (ByteBuf) msg;
      text.append(buf.toString(US_ASCII));
      buf.release();
    }
    return text.toString();
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "glance-origin");
      thread.setDaemon(true);
      return thread;
    };
  }
}
