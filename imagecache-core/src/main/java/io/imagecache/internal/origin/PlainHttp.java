package io.imagecache.internal.origin;

import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import javax.net.ssl.SSLSession;

/**
 * Plain-HTTP GETs made on the caller's thread, whose bodies are {@link SocketBody}s read straight
 * from the socket: the JDK client reads every body on its selector thread into fresh heap
 * buffers, copies them and hands them to another thread and on to the reader, which costs a miss
 * about as much CPU as writing the file. A connection whose body, framed by its length, was read
 * to its end is kept for the next request to the same address ({@link IdleConnections}).
 *
 * <p>It keeps the JDK client's words for failures ({@link HttpConnectTimeoutException},
 * {@link HttpTimeoutException} for a head that does not come within the request's timeout,
 * {@link java.net.ConnectException}, {@link UnknownHostException}), so {@link TransportFailures}
 * words them alike. Redirects it leaves to the JDK client, which follows them as before; HTTPS,
 * other methods and requests a proxy would carry are never given to it ({@link #handles}).
 */
final class PlainHttp {
  /** The statuses the JDK client follows (Redirect.NORMAL). */
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private final String name;
  private final OriginSettings settings;
  /** Connections whose last response was read to its end, for the next request. */
  private final IdleConnections idle = new IdleConnections();

  PlainHttp(String name, OriginSettings settings) {
    this.name = name;
    this.settings = settings;
  }

  /** Whether this client makes {@code request}: a GET without body of an http URL, no proxy. */
  static boolean handles(HttpRequest request) {
    URI uri = request.uri();
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
        || !request.method().equals("GET")
        || request.bodyPublisher().map(p -> p.contentLength() != 0).orElse(false)
        || request.version().filter(v -> v != HttpClient.Version.HTTP_1_1).isPresent()) {
      return false;
    }
    ProxySelector proxies = ProxySelector.getDefault();
    if (proxies == null) {
      return true;
    }
    List<Proxy> chosen = proxies.select(uri);
    return chosen.isEmpty() || chosen.stream().allMatch(p -> p.type() == Proxy.Type.DIRECT);
  }

  /**
   * Sends {@code request} and returns its response once the head came, with a body that must be
   * {@code expectedSize.apply(head)} bytes when known; empty for a redirect, which the caller
   * leaves to the JDK client.
   */
  Optional<HttpResponse<BodyChannel>> send(HttpRequest request,
      Function<HttpResponse.ResponseInfo, OptionalLong> expectedSize) throws IOException {
    URI uri = request.uri();
    InetSocketAddress address = new InetSocketAddress(uri.getHost(), port(uri));
    if (address.isUnresolved()) {
      throw new UnknownHostException(uri.getHost());
    }
    Optional<IdleConnections.Connection> kept = idle.take(address);
    if (kept.isPresent()) {
      try {
        return exchange(request, expectedSize, address, kept.get(), true);
      } catch (StaleConnectionException e) {
        // the origin closed the kept connection as the request went out: a GET is sent again
      }
    }
    return exchange(request, expectedSize, address, open(address), false);
  }

  /** Closes the kept connections; connections of bodies still being read are closed at their end. */
  void close() {
    idle.close();
  }

  /** A new connection to {@code address}: non-blocking, registered with its own selector. */
  private IdleConnections.Connection open(InetSocketAddress address) throws IOException {
    SocketChannel socket = SocketChannel.open();
    Selector selector = null;
    try {
      socket.configureBlocking(false);
      socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
      selector = Selector.open();
      SelectionKey key = socket.register(selector, 0);
      connect(socket, selector, key, address);
      return new IdleConnections.Connection(socket, selector);
    } catch (IOException | RuntimeException e) {
      if (selector != null) {
        selector.close();
      }
      socket.close();
      throw e;
    }
  }

  /**
   * Sends {@code request} on {@code connection}, which is given up unless the body takes it. On a
   * {@code kept} connection a failure before any response byte is a {@link StaleConnectionException}.
   */
  private Optional<HttpResponse<BodyChannel>> exchange(HttpRequest request,
      Function<HttpResponse.ResponseInfo, OptionalLong> expectedSize, InetSocketAddress address,
      IdleConnections.Connection connection, boolean kept) throws IOException {
    SocketChannel socket = connection.socket();
    Selector selector = connection.selector();
    SelectionKey key = socket.keyFor(selector);
    ResponseDecoder decoder = new ResponseDecoder();
    boolean handedOver = false;
    try {
      long deadline = request.timeout()
          .map(t -> System.nanoTime() + Math.min(BodyChannel.saturatedNanos(t), Long.MAX_VALUE / 4))
          .orElse(Long.MAX_VALUE);
      io.netty.handler.codec.http.HttpResponse head;
      try {
        writeRequest(socket, selector, key, request, deadline);
        key.interestOps(SelectionKey.OP_READ);
        head = readHead(socket, selector, decoder, deadline);
      } catch (HttpTimeoutException | InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (kept && decoder.bytesRead() == 0) {
          throw new StaleConnectionException(e);
        }
        throw e;
      }
      int status = head.status().code();
      if (REDIRECTS.contains(status)) {
        return Optional.empty();
      }
      Head response = new Head(status, headers(head.headers()));
      boolean noBody = status == 204 || status == 304;
      boolean chunked = !noBody && HttpUtil.isTransferEncodingChunked(head);
      long length = noBody ? 0 : HttpUtil.getContentLength(head, -1L);
      boolean reusable = !noBody && !chunked && length >= 0 && HttpUtil.isKeepAlive(head);
      SocketBody body = new SocketBody(name, settings.idleTimeout(), expectedSize.apply(response),
          socket, selector, decoder, length < 0 ? OptionalLong.empty() : OptionalLong.of(length),
          chunked, reusable ? open -> idle.keep(address, open) : null);
      handedOver = true;
      return Optional.of(new Response(status, request, response.headers(), body));
    } finally {
      if (!handedOver) {
        decoder.close();
        connection.close();
      }
    }
  }

  /** A kept connection failed before any response byte: the origin had closed it. */
  private static final class StaleConnectionException extends IOException {
    StaleConnectionException(IOException cause) {
      super("the origin closed a kept connection", cause);
    }
  }

  private void connect(SocketChannel socket, Selector selector, SelectionKey key,
      InetSocketAddress address) throws IOException {
    if (socket.connect(address)) {
      return;
    }
    key.interestOps(SelectionKey.OP_CONNECT);
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    while (!socket.finishConnect()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new HttpConnectTimeoutException("HTTP connect timed out");
      }
      await(selector, left);
    }
  }

  private static void writeRequest(SocketChannel socket, Selector selector, SelectionKey key,
      HttpRequest request, long deadline) throws IOException {
    URI uri = request.uri();
    StringBuilder text = new StringBuilder(256).append("GET ")
        .append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        .append(" HTTP/1.1\r\nHost: ").append(uri.getHost())
        .append(uri.getPort() < 0 ? "" : ":" + uri.getPort()).append("\r\n");
    request.headers().map().forEach((field, values) -> {
      for (String value : values) {
        text.append(field).append(": ").append(value).append("\r\n");
      }
    });
    text.append("\r\n");
    ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    key.interestOps(SelectionKey.OP_WRITE);
    while (bytes.hasRemaining()) {
      if (socket.write(bytes) == 0) {
        awaitHead(selector, deadline);
      }
    }
  }

  /**
   * Reads until the decoder gave the head of a final (not 1xx) response; the body's first pieces
   * may wait in the decoder.
   */
  private static io.netty.handler.codec.http.HttpResponse readHead(SocketChannel socket,
      Selector selector, ResponseDecoder decoder, long deadline) throws IOException {
    while (true) {
      HttpObject object = decoder.next();
      if (object == null) {
        int read = decoder.readFrom(socket);
        if (read < 0) {
          throw new IOException("connection closed before the response head was complete");
        }
        if (read == 0) {
          awaitHead(selector, deadline);
        }
        continue;
      }
      if (object.decoderResult().isFailure()) {
        throw ResponseDecoder.failure(object, "response head");
      }
      if (object instanceof io.netty.handler.codec.http.HttpResponse head
          && head.status().code() >= 200) {
        return head;
      }
      ReferenceCountUtil.release(object); // an interim 1xx response: the final one follows
    }
  }

  /** Netty's header fields as the JDK client's, names compared without case. */
  private static HttpHeaders headers(io.netty.handler.codec.http.HttpHeaders fields) {
    Map<String, List<String>> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> field : fields) {
      all.computeIfAbsent(field.getKey(), k -> new ArrayList<>()).add(field.getValue());
    }
    return HttpHeaders.of(all, (name, value) -> true);
  }

  /** A final response's status and header fields, for the caller's expected size. */
  private record Head(int statusCode, HttpHeaders headers) implements HttpResponse.ResponseInfo {
    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }

  /** Waits for the socket's interest, up to the head deadline: past it, the JDK client's timeout. */
  private static void awaitHead(Selector selector, long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new HttpTimeoutException("request timed out");
    }
    await(selector, left);
  }

  private static void await(Selector selector, long nanos) throws IOException {
    selector.select(Math.max(1, nanos / 1_000_000 + 1));
    selector.selectedKeys().clear();
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted while waiting for the origin");
    }
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 80 : uri.getPort();
  }

  /** A response whose body is read from the socket. */
  private record Response(int statusCode, HttpRequest request, HttpHeaders headers,
      BodyChannel body) implements HttpResponse<BodyChannel> {
    @Override
    public Optional<HttpResponse<BodyChannel>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
