package io.imagecache.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP image store in the soak's own JVM on 127.0.0.1 ({@code /images/{id}}): {@code HEAD} and {@code GET}
 * with {@code Content-Length} and {@code Content-MD5} (base64), 404 for unknown ids, 405 for other methods.
 */
final class SoakHttpOrigin implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(16, r -> {
    Thread t = new Thread(r, "soak-origin");
    t.setDaemon(true);
    return t;
  });

  private SoakHttpOrigin(HttpServer server) {
    this.server = server;
  }

  /** Starts serving {@code images} on a free loopback port. */
  static SoakHttpOrigin start(SoakImages images) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    SoakHttpOrigin origin = new SoakHttpOrigin(server);
    server.createContext("/images/", exchange -> origin.handle(exchange, images));
    server.setExecutor(origin.threads);
    server.start();
    return origin;
  }

  /** The origin URL for {@code --origin}: {@code http://127.0.0.1:PORT/images/{id}}. */
  String originUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/images/{id}";
  }

  private void handle(HttpExchange exchange, SoakImages images) throws IOException {
    try (exchange) {
      String id = exchange.getRequestURI().getPath().substring("/images/".length());
      SoakImages.Image image = images.get(id);
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (image == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.getResponseHeaders().set("Content-MD5",
          Base64.getEncoder().encodeToString(HexFormat.of().parseHex(image.md5Hex())));
      if (method.equals("HEAD")) {
        // -1 means "no body"; Content-Length is set by hand so that HEAD announces the size.
        exchange.getResponseHeaders().set("Content-Length", Long.toString(image.size()));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, image.size());
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(image.bytes());
      }
    } catch (IOException e) {
      // the cache hung up (a cancelled fill): nothing to answer
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
