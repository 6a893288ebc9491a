package io.imagecache.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection on a plain socket: requests are sent byte for byte as written, responses
 * are parsed by hand, so tests can see framing (chunked or not), send what a well-behaved client
 * would not (encoded slashes, {@code ..}), reuse one connection, and tell a body that ended
 * cleanly from one cut off.
 */
final class RawHttp implements Closeable {
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private final Socket socket;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
  }

  static RawHttp connect(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return new RawHttp(socket);
  }

  /** Sends {@code GET target} with {@code extraHeaders} (each a full {@code Name: value} line). */
  void sendGet(String target, String... extraHeaders) throws IOException {
    send("GET", target, extraHeaders);
  }

  /** Sends a request without a body; {@code Host} is added. */
  void send(String method, String target, String... extraHeaders) throws IOException {
    StringBuilder request = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n");
    for (String header : extraHeaders) {
      request.append(header).append("\r\n");
    }
    request.append("\r\n");
    sendRaw(request.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends {@code bytes} as they are. */
  void sendRaw(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads one response to a GET (or another method whose response has a body). */
  Response read() throws IOException {
    return readBody(readHead());
  }

  /** Reads one response; {@code toHead}: the response to a HEAD request, which has no body. */
  Response read(boolean toHead) throws IOException {
    Response head = readHead();
    return toHead ? head : readBody(head);
  }

  /** Reads a status line and headers only, leaving the body on the wire. */
  Response readHead() throws IOException {
    String statusLine = line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(),
          (a, b) -> a + ", " + b);
    }
    return new Response(status, headers, new byte[0], true);
  }

  /** Reads the body that follows {@code head} (of a response to a method other than HEAD). */
  Response readBody(Response head) throws IOException {
    int status = head.status();
    if (status == 304 || status == 204 || status / 100 == 1) {
      return head;
    }
    if (head.header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
        .orElse(false)) {
      return readChunked(head);
    }
    Optional<String> length = head.header("Content-Length");
    if (length.isPresent()) {
      return readFixed(head, Long.parseLong(length.get()));
    }
    return readToEnd(head);
  }

  /** Whether the server closed the connection: the next read sees the end of the stream. */
  boolean isClosedByPeer() throws IOException {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads {@code n} bytes as they come, framing included (a body of known length has none). */
  byte[] readSome(int n) throws IOException {
    return in.readNBytes(n);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private Response readFixed(Response head, long length) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int n = readQuietly(buffer, (int) Math.min(buffer.length, left));
      if (n < 0) {
        return head.withBody(body.toByteArray(), false);
      }
      body.write(buffer, 0, n);
      left -= n;
    }
    return head.withBody(body.toByteArray(), true);
  }

  private Response readChunked(Response head) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      while (true) {
        String sizeLine = line();
        int semicolon = sizeLine.indexOf(';');
        long size = Long.parseLong(
            (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          return head.withBody(body.toByteArray(), true);
        }
        byte[] chunk = in.readNBytes((int) size);
        body.write(chunk);
        if (chunk.length < size || !line().isEmpty()) {
          return head.withBody(body.toByteArray(), false);
        }
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      // The end of the stream or a reset before the last chunk: a cut-off body.
      return head.withBody(body.toByteArray(), false);
    }
  }

  /** A body delimited by the connection's end: a reset instead of a close leaves it incomplete. */
  private Response readToEnd(Response head) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        body.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return head.withBody(body.toByteArray(), false);
    }
    return head.withBody(body.toByteArray(), true);
  }

  /** A read that reports a reset connection as its end, like a close. */
  private int readQuietly(byte[] buffer, int length) throws IOException {
    try {
      return in.read(buffer, 0, length);
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (IOException e) {
      return -1;
    }
  }

  /** One CRLF-terminated line in ISO-8859-1, without the terminator. */
  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed in the middle of a line: " + line);
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        boolean cr = bytes.length > 0 && bytes[bytes.length - 1] == '\r';
        int length = cr ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
  }

  /**
   * A parsed response; {@code complete} is false when the connection ended before the body did
   * (fewer bytes than {@code Content-Length}, or no last chunk).
   */
  record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {
    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }

    Response withBody(byte[] newBody, boolean isComplete) {
      return new Response(status, headers, newBody, isComplete);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
