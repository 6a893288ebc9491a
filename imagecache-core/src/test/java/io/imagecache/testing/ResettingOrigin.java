package io.imagecache.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw HTTP/1.1 origin on 127.0.0.1 serving one image at any path with {@code Accept-Ranges:
 * bytes} and an {@code ETag}, answering {@code Range: bytes=N-} with 206, that resets its first
 * connection (TCP RST: SO_LINGER 0) after a given number of body bytes, once the test called
 * {@link #reset()} (so the client surely read the head and some bytes first). It serves at most
 * {@link #MAX_CONNECTIONS} connections, one at a time, and records each request head.
 */
public final class ResettingOrigin implements AutoCloseable {
  public static final int MAX_CONNECTIONS = 8;
  private static final Pattern RANGE = Pattern.compile("(?im)^Range:\\s*bytes=(\\d+)-\\s*$");

  private final byte[] image;
  private final long resetAfter;
  private final ServerSocket server;
  private final Thread thread;
  private final List<String> heads = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesSent = new AtomicLong();
  private final CountDownLatch resetNow = new CountDownLatch(1);

  /** Serves {@code image}; the first response is reset after {@code resetAfter} body bytes. */
  public ResettingOrigin(byte[] image, long resetAfter) throws IOException {
    this.image = image.clone();
    this.resetAfter = resetAfter;
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "resetting-origin");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@code http://127.0.0.1:PORT/images/{id}}. */
  public String httpTemplate() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/images/{id}";
  }

  /** Lets the first connection be reset (it waits for this at most 10 s). */
  public void reset() {
    resetNow.countDown();
  }

  /** The request heads received, in order. */
  public List<String> heads() {
    return List.copyOf(heads);
  }

  /** Body bytes written over all connections. */
  public long bytesSent() {
    return bytesSent.get();
  }

  private void serve() {
    for (int connection = 0; connection < MAX_CONNECTIONS; connection++) {
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(10_000);
        String head = readHead(socket.getInputStream());
        heads.add(head);
        Matcher range = RANGE.matcher(head);
        boolean ranged = range.find();
        int from = ranged ? Integer.parseInt(range.group(1)) : 0;
        String status = ranged ? "206 Partial Content" : "200 OK";
        String headers = "HTTP/1.1 " + status + "\r\nContent-Length: " + (image.length - from)
            + "\r\nAccept-Ranges: bytes\r\nETag: \"r1\"\r\nConnection: close\r\n"
            + (ranged ? "Content-Range: bytes " + from + "-" + (image.length - 1) + "/"
                + image.length + "\r\n" : "")
            + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(headers.getBytes(StandardCharsets.US_ASCII));
        int end = connection == 0 ? (int) Math.min(image.length, resetAfter) : image.length;
        out.write(image, from, end - from);
        out.flush();
        bytesSent.addAndGet(end - from);
        if (connection == 0) {
          resetNow.await(10, TimeUnit.SECONDS);
          socket.setSoLinger(true, 0); // close() now sends RST
        }
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4 && head.size() < 16_384) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
