package io.imagecache.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 origin for the miss scenarios nginx cannot play: it serves the files of a
 * directory at {@code /NAME} (GET, HEAD, keep-alive) with {@code Accept-Ranges: bytes}, a strong
 * {@code ETag}, the digests given to {@link #digests}, and {@code Range: bytes=a-b} / {@code a-}
 * with {@code If-Range}; it can limit each connection to a byte rate without a burst allowance
 * (nginx's {@code limit_rate} lets each request send a second's worth at once, so ranged requests
 * of a few MiB are never limited) and cut every connection after a number of body bytes. Body
 * bytes go out with {@code sendfile}; every body byte sent is counted. One thread per connection.
 */
final class RangeOrigin implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  private static final int CHUNK = 128 * 1024;

  private final Path dir;
  private final long bytesPerSecond;
  private final long cutAfter;
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Map<String, String> digestHeaders = new ConcurrentHashMap<>();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();

  /**
   * Serves {@code dir}; each connection sends at most {@code bytesPerSecond} (0: no limit) and is
   * closed after {@code cutAfter} body bytes (0: never).
   */
  RangeOrigin(Path dir, long bytesPerSecond, long cutAfter) throws IOException {
    this.dir = dir;
    this.bytesPerSecond = bytesPerSecond;
    this.cutAfter = cutAfter;
    this.server = ServerSocketChannel.open()
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.acceptor = new Thread(this::accept, "range-origin");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:PORT/{id}}, an HTTP-template origin for imagecache. */
  String template() throws IOException {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort() + "/{id}";
  }

  /** Sends {@code Content-MD5} and {@code Repr-Digest: sha-512} for file {@code name}. */
  void digests(String name, TestFiles.Digests digests) {
    digestHeaders.put(name, "Content-MD5: " + digests.md5Hex() + "\r\nRepr-Digest: sha-512=:"
        + digests.sha512Base64() + ":\r\n");
  }

  /** Body bytes sent so far, over every connection (cut responses included). */
  long bodyBytes() {
    return bodyBytes.get();
  }

  /** Connections accepted so far. */
  long connections() {
    return connections.get();
  }

  /** Requests answered so far. */
  long requests() {
    return requests.get();
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel connection = server.accept();
        connections.incrementAndGet();
        open.add(connection);
        Thread thread = new Thread(() -> serve(connection), "range-origin-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel connection) {
    long[] sentOnConnection = {0};
    long[] nextSend = {System.nanoTime()};
    try (connection) {
      while (true) {
        String head = readHead(connection);
        if (head == null) {
          return;
        }
        requests.incrementAndGet();
        if (!answer(connection, head, sentOnConnection, nextSend)) {
          return;
        }
      }
    } catch (IOException e) {
      // The client went away, or the connection was cut: nothing to answer.
    } finally {
      open.remove(connection);
    }
  }

  /** Answers one request; false when the connection was cut. */
  private boolean answer(SocketChannel connection, String head, long[] sentOnConnection,
      long[] nextSend) throws IOException {
    String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
    String name = line[1].substring(1);
    Path file = dir.resolve(name).normalize();
    if (!file.getParent().equals(dir) || !Files.isRegularFile(file)) {
      write(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    long size = Files.size(file);
    String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(
        Files.getLastModifiedTime(file).toMillis()) + "\"";
    String range = header(head, "range");
    String ifRange = header(head, "if-range");
    long from = 0;
    long to = size;
    String status = "200 OK";
    String contentRange = "";
    Matcher matcher = range == null ? null : RANGE.matcher(range.strip());
    if (matcher != null && matcher.matches() && (ifRange == null || ifRange.strip().equals(etag))) {
      from = Long.parseLong(matcher.group(1));
      to = matcher.group(2).isEmpty() ? size : Math.min(size, Long.parseLong(matcher.group(2)) + 1);
      status = "206 Partial Content";
      contentRange = "Content-Range: bytes " + from + "-" + (to - 1) + "/" + size + "\r\n";
    }
    write(connection, "HTTP/1.1 " + status + "\r\nContent-Length: " + (to - from)
        + "\r\nAccept-Ranges: bytes\r\nETag: " + etag + "\r\n" + contentRange
        + digestHeaders.getOrDefault(name, "") + "Content-Type: application/octet-stream\r\n\r\n");
    if (line[0].equals("HEAD")) {
      return true;
    }
    try (FileChannel body = FileChannel.open(file, StandardOpenOption.READ)) {
      for (long position = from; position < to; ) {
        long chunk = Math.min(to - position, bytesPerSecond > 0 ? CHUNK : 8L << 20);
        if (cutAfter > 0) {
          chunk = Math.min(chunk, cutAfter - sentOnConnection[0]);
          if (chunk <= 0) {
            return false;
          }
        }
        if (bytesPerSecond > 0) {
          nextSend[0] = Math.max(nextSend[0], System.nanoTime());
          for (long wait = nextSend[0] - System.nanoTime(); wait > 0; wait = nextSend[0] - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          nextSend[0] += chunk * 1_000_000_000L / bytesPerSecond;
        }
        long sent = body.transferTo(position, chunk, connection);
        position += sent;
        sentOnConnection[0] += sent;
        bodyBytes.addAndGet(sent);
      }
    }
    return true;
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  private static void write(SocketChannel connection, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    while (bytes.hasRemaining()) {
      connection.write(bytes);
    }
  }

  /** The next request head, or null when the client closed the connection. */
  private static String readHead(SocketChannel connection) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      one.clear();
      if (connection.read(one) < 0) {
        return null;
      }
      byte b = one.get(0);
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 16_384) {
        throw new IOException("request head too large");
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel connection : open) {
      connection.close();
    }
    try {
      acceptor.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
