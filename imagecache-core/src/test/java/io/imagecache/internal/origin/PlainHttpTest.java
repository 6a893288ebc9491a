package io.imagecache.internal.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.imagecache.ImageId;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain-HTTP GETs read from the socket ({@link PlainHttp}, {@link SocketBody}): the framings an
 * origin may use, a head that comes in pieces, interim responses, and redirects left to the JDK
 * client. The origin is a raw socket answering scripted bytes on 127.0.0.1.
 */
class PlainHttpTest {
  private static final ImageId ID = ImageId.of("img");
  private static final OriginSettings SETTINGS = OriginSettings.defaults()
      .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5));

  private ServerSocket server;
  private ExecutorService answering;
  private ExecutorService connections;
  private ExecutorService clientThreads;
  private OriginHttp http;
  /** The request heads the raw origin received, in order. */
  private final List<String> requests = new CopyOnWriteArrayList<>();
  /** In a script of {@link #serveConnections}: close the connection now. */
  private static final byte[] CLOSE = new byte[0];
  /** Connections the raw origin accepted ({@link #serveConnections}). */
  private final AtomicInteger accepted = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setSoTimeout(10_000);
    answering = Executors.newSingleThreadExecutor();
    connections = Executors.newCachedThreadPool();
    clientThreads = Executors.newCachedThreadPool();
    http = new OriginHttp(URI.create(url("/")), SETTINGS, clientThreads);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    answering.shutdownNow();
    connections.shutdownNow();
    clientThreads.shutdownNow();
    answering.awaitTermination(5, TimeUnit.SECONDS);
    connections.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void plainGetIsReadFromTheSocketWithBytesThatCameWithTheHead() throws Exception {
    byte[] body = bytes(300_000);
    Future<?> origin = answer(concat(head("HTTP/1.1 200 OK", "Content-Length: 300000"), body));

    HttpResponse<BodyChannel> response = send("/img");

    assertThat(response.body()).isInstanceOf(SocketBody.class);
    assertThat(ResponseBodies.readAll(response.body())).isEqualTo(body);
    assertThat(response.headers().firstValue("content-length")).contains("300000");
    origin.get(5, TimeUnit.SECONDS);
    assertThat(requests.get(0)).startsWith("GET /img HTTP/1.1\r\n").doesNotContain("Connection:")
        .contains("\r\nHost: 127.0.0.1:" + server.getLocalPort() + "\r\n");
  }

  @Test
  void chunkedBodyWithExtensionsAndATrailerIsDecoded() throws Exception {
    byte[] body = bytes(70_000);
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    chunked.write(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"));
    chunked.write("10;name=value\r\n".getBytes(StandardCharsets.ISO_8859_1));
    chunked.write(body, 0, 16);
    chunked.write(("\r\n" + Integer.toHexString(body.length - 16).toUpperCase() + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    chunked.write(body, 16, body.length - 16);
    chunked.write("\r\n0\r\nX-Trailer: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    answer(chunked.toByteArray());

    HttpResponse<BodyChannel> response = send("/img");

    assertThat(ResponseBodies.readAll(response.body())).isEqualTo(body);
  }

  @Test
  void chunkedBodyThatBreaksOffIsShortNotAnEnd() throws Exception {
    answer(concat(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"),
        "400\r\nonly a few bytes".getBytes(StandardCharsets.ISO_8859_1)));

    HttpResponse<BodyChannel> response = http.send(request("/img"), ID, info -> OptionalLong.of(1024));

    assertThatThrownBy(() -> ResponseBodies.readAll(response.body()))
        .isInstanceOf(EOFException.class)
        .hasMessageStartingWith("origin http://127.0.0.1:" + server.getLocalPort() + " sent 16 of 1024 bytes");
  }

  @Test
  void closeWakesAReadWaitingInAChunkedBodyAndEndsIt() throws Exception {
    byte[] first = bytes(16);
    Future<?> origin = answering.submit(() -> {
      try (Socket socket = server.accept()) {
        requests.add(readHead(socket.getInputStream()));
        OutputStream out = socket.getOutputStream();
        out.write(concat(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"),
            concat("10\r\n".getBytes(StandardCharsets.ISO_8859_1), first)));
        out.flush();
        return socket.getInputStream().read(); // holds the connection until the client drops it
      }
    });
    HttpResponse<BodyChannel> response = send("/img");
    ByteBuffer dst = ByteBuffer.allocate(1024);
    assertThat(response.body().read(dst)).isEqualTo(16);

    AtomicReference<Thread> reader = new AtomicReference<>();
    Future<Integer> waiting = clientThreads.submit(() -> {
      reader.set(Thread.currentThread());
      return response.body().read(dst);
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> reader.get() != null
        && Arrays.stream(reader.get().getStackTrace())
            .anyMatch(frame -> frame.getMethodName().equals("awaitReadable")));
    response.body().close();

    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(AsynchronousCloseException.class);
    assertThat(origin.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    assertThatThrownBy(() -> response.body().read(dst)).isInstanceOf(ClosedChannelException.class);
  }

  @Test
  void bodyWithoutLengthEndsWithTheConnection() throws Exception {
    byte[] body = bytes(50_000);
    answer(concat(head("HTTP/1.1 200 OK"), body));

    assertThat(ResponseBodies.readAll(send("/img").body())).isEqualTo(body);
  }

  @Test
  void headInPiecesAndAnInterimResponseBeforeIt() throws Exception {
    byte[] body = bytes(1000);
    byte[] all = concat(head("HTTP/1.1 100 Continue"),
        concat(head("HTTP/1.1 200 OK", "Content-Length: 1000", "ETag: \"e\""), body));
    answerInPieces(all, 7);

    HttpResponse<BodyChannel> response = send("/img");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("ETag")).contains("\"e\"");
    assertThat(ResponseBodies.readAll(response.body())).isEqualTo(body);
  }

  @Test
  void redirectIsLeftToTheJdkClientWhichFollowsIt() throws Exception {
    byte[] body = bytes(2000);
    answerByPath(head("HTTP/1.1 302 Found", "Location: /elsewhere", "Content-Length: 0"),
        concat(head("HTTP/1.1 200 OK", "Content-Length: 2000"), body));

    HttpResponse<BodyChannel> response = send("/img");

    assertThat(response.body()).isInstanceOf(SubscriberBody.class);
    assertThat(ResponseBodies.readAll(response.body())).isEqualTo(body);
    assertThat(requests).hasSize(3);
    assertThat(requests.get(1)).startsWith("GET /img HTTP/1.1");
    assertThat(requests.get(2)).startsWith("GET /elsewhere HTTP/1.1");
  }

  @Test
  void headLargerThanTheLimitIsRefused() throws Exception {
    answer(head("HTTP/1.1 200 OK", "X-Big: " + "x".repeat(ResponseDecoder.MAX_HEAD)));

    assertThatThrownBy(() -> send("/img"))
        .hasMessageContaining("response head longer than " + ResponseDecoder.MAX_HEAD + " bytes");
  }

  // ---- keep-alive

  @Test
  void aBodyReadToItsEndLeavesItsConnectionToTheNextRequest() throws Exception {
    byte[] first = bytes(200_000);
    byte[] second = bytes(1000);
    Future<?> origin = serveConnections(new byte[][] {
        concat(head("HTTP/1.1 200 OK", "Content-Length: 200000"), first),
        concat(head("HTTP/1.1 200 OK", "Content-Length: 1000"), second)});

    assertThat(ResponseBodies.readAll(send("/img").body())).isEqualTo(first);
    assertThat(ResponseBodies.readAll(send("/img").body())).isEqualTo(second);

    http.close(); // closes the kept connection, which ends the origin's last one
    origin.get(5, TimeUnit.SECONDS);
    assertThat(accepted).hasValue(1);
    assertThat(requests).hasSize(2);
  }

  @Test
  void aBodyClosedBeforeItsEnd_orEndingWithItsConnection_orChunked_closesItsConnection()
      throws Exception {
    byte[] body = bytes(100_000);
    Future<?> origin = serveConnections(
        new byte[][] {concat(head("HTTP/1.1 200 OK", "Content-Length: 100000"), body)},
        new byte[][] {concat(head("HTTP/1.1 200 OK", "Content-Length: 10", "Connection: close"),
            bytes(10))},
        new byte[][] {concat(head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"),
            "1\r\nx\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))},
        new byte[][] {concat(head("HTTP/1.1 200 OK", "Content-Length: 10"), bytes(10))});

    HttpResponse<BodyChannel> partly = send("/img");
    assertThat(partly.body().read(ByteBuffer.allocate(1000))).isPositive();
    partly.body().close();
    assertThat(ResponseBodies.readAll(send("/img").body())).hasSize(10);
    assertThat(ResponseBodies.readAll(send("/img").body())).hasSize(1);
    assertThat(ResponseBodies.readAll(send("/img").body())).hasSize(10);

    http.close(); // closes the kept connection, which ends the origin's last one
    origin.get(5, TimeUnit.SECONDS);
    assertThat(accepted).hasValue(4);
    assertThat(requests).as("one request per connection").hasSize(4);
  }

  @Test
  void aRequestOnAKeptConnectionTheOriginDropsUnanswered_isSentAgainOnANewOne() throws Exception {
    byte[] body = bytes(5000);
    byte[] answer = concat(head("HTTP/1.1 200 OK", "Content-Length: 5000"), body);
    Future<?> origin = serveConnections(new byte[][] {answer, null}, new byte[][] {answer});

    assertThat(ResponseBodies.readAll(send("/img").body())).isEqualTo(body);
    assertThat(ResponseBodies.readAll(send("/img").body())).isEqualTo(body);

    http.close(); // closes the kept connection, which ends the origin's last one
    origin.get(5, TimeUnit.SECONDS);
    assertThat(accepted).hasValue(2);
    assertThat(requests).hasSize(3);
  }

  @Test
  void aKeptConnectionThatBreaksAfterResponseBytes_isAFailureNotARetry() throws Exception {
    byte[] answer = concat(head("HTTP/1.1 200 OK", "Content-Length: 10"), bytes(10));
    Future<?> origin = serveConnections(
        new byte[][] {answer, "HTTP/1.1 200 OK\r\nContent-Le".getBytes(StandardCharsets.ISO_8859_1),
            CLOSE});

    assertThat(ResponseBodies.readAll(send("/img").body())).hasSize(10);
    assertThatThrownBy(() -> send("/img")).isInstanceOf(IOException.class);

    http.close(); // closes the kept connection, which ends the origin's last one
    origin.get(5, TimeUnit.SECONDS);
    assertThat(accepted).hasValue(1);
    assertThat(requests).hasSize(2);
  }

  // ---- the raw origin

  private HttpResponse<BodyChannel> send(String path) throws IOException {
    return http.send(request(path), ID, info -> OriginHttp.lenientContentLength(info.headers()));
  }

  private HttpRequest request(String path) {
    return http.newRequest(URI.create(url(path))).GET().build();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  /** Answers one connection with {@code response}, then closes it. */
  private Future<?> answer(byte[] response) {
    return answering.submit(() -> {
      serve(response, response.length);
      return null;
    });
  }

  /** Answers one connection with {@code response} in pieces of {@code piece} bytes. */
  private void answerInPieces(byte[] response, int piece) {
    answering.submit(() -> {
      serve(response, piece);
      return null;
    });
  }

  /**
   * Answers every request on every connection (kept alive, one thread each) by its path:
   * {@code /img} with {@code first}, any other with {@code second}.
   */
  private void answerByPath(byte[] first, byte[] second) {
    answering.submit(() -> {
      for (int i = 0; i < 4; i++) {
        Socket socket = server.accept();
        connections.submit(() -> serveKeepAlive(socket, first, second));
      }
      return null;
    });
  }

  /**
   * Accepts one connection per script, in turn, and answers the requests on it with the script's
   * responses in order: null reads the request and closes the connection unanswered,
   * {@link #CLOSE} closes it without reading one. After its
   * script a connection stays open until the client closes it; a request sent on it then is
   * recorded (a connection used once too often) and the connection closed.
   */
  private Future<?> serveConnections(byte[][]... scripts) {
    return answering.submit(() -> {
      for (byte[][] script : scripts) {
        try (Socket socket = server.accept()) {
          accepted.incrementAndGet();
          socket.setSoTimeout(10_000);
          boolean dropped = false;
          for (byte[] response : script) {
            if (response == CLOSE) {
              dropped = true;
              break;
            }
            requests.add(readHead(socket.getInputStream()));
            if (response == null) {
              dropped = true;
              break;
            }
            socket.getOutputStream().write(response);
            socket.getOutputStream().flush();
          }
          if (!dropped) {
            recordAnyMore(socket);
          }
        }
      }
      return null;
    });
  }

  /** Records a request sent after the script, if one comes before the client closes. */
  private void recordAnyMore(Socket socket) {
    try {
      String more = readHead(socket.getInputStream());
      if (!more.isEmpty()) {
        requests.add(more);
      }
    } catch (IOException e) {
      // reset: a client that closes with bytes unread sends no FIN but a RST
    }
  }

  private void serve(byte[] response, int piece) throws IOException {
    try (Socket socket = server.accept()) {
      socket.setSoTimeout(10_000);
      requests.add(readHead(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      for (int at = 0; at < response.length; at += piece) {
        out.write(response, at, Math.min(piece, response.length - at));
        out.flush();
      }
    }
  }

  private Void serveKeepAlive(Socket connection, byte[] first, byte[] second) throws IOException {
    try (Socket socket = connection) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 4; i++) {
        String head = readHead(in);
        if (head.isEmpty()) {
          return null;
        }
        requests.add(head);
        out.write(head.startsWith("GET /img ") ? first : second);
        out.flush();
      }
    }
    return null;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n") && head.length() < 65_536) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static byte[] head(String status, String... fields) {
    StringBuilder text = new StringBuilder(status).append("\r\n");
    for (String field : fields) {
      text.append(field).append("\r\n");
    }
    return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
