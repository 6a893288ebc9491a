package io.imagecache.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that plays the management API for client tests: it answers each
 * {@code METHOD path} from a script (a sequence whose last answer repeats) and records every
 * request it gets. Unscripted requests get 599, which no test expects.
 */
final class ScriptedApiServer implements AutoCloseable {

  /** One scripted answer. */
  record Answer(int status, String contentType, String body) {

    /** 200 with a JSON body. */
    static Answer json(String body) {
      return new Answer(200, "application/json", body);
    }

    /** {@code status} with a text/plain message, as the server sends errors. */
    static Answer text(int status, String message) {
      return new Answer(status, "text/plain; charset=UTF-8", message);
    }

    /** {@code status} without a body. */
    static Answer empty(int status) {
      return new Answer(status, "text/plain; charset=UTF-8", "");
    }
  }

  /** One request as the server got it; header names in lower case. */
  record Request(String method, String path, Map<String, List<String>> headers) {

    /** The value of header {@code name}, if sent. */
    Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** {@code METHOD path}. */
    String line() {
      return method + " " + path;
    }
  }

  private final HttpServer server;
  /** Answers left per "METHOD path"; guarded by itself (the server thread and the test use it). */
  private final Map<String, Deque<Answer>> script = new HashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private ScriptedApiServer(HttpServer server) {
    this.server = server;
  }

  /** A server on a free loopback port. */
  static ScriptedApiServer start() throws IOException {
    HttpServer http = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ScriptedApiServer scripted = new ScriptedApiServer(http);
    http.createContext("/", scripted::handle);
    http.start();
    return scripted;
  }

  /** Answers {@code method path} with {@code answers} in turn, repeating the last one. */
  ScriptedApiServer on(String method, String path, Answer... answers) {
    synchronized (script) {
      script.put(method + " " + path, new ArrayDeque<>(List.of(answers)));
    }
    return this;
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort();
  }

  /** The requests received so far, in order. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The {@code METHOD path} lines of the requests received so far. */
  List<String> requestLines() {
    return requests.stream().map(Request::line).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      Map<String, List<String>> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach(
          (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
      Request request = new Request(
          exchange.getRequestMethod(), pathAndQuery(exchange.getRequestURI()), headers);
      requests.add(request);
      Answer answer = next(request.line())
          .orElse(Answer.text(599, "no scripted answer for " + request.line()));
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private Optional<Answer> next(String line) {
    synchronized (script) {
      Deque<Answer> answers = script.get(line);
      if (answers == null || answers.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(answers.size() > 1 ? answers.poll() : answers.peek());
    }
  }

  /** The raw path, with {@code ?query} when the request has one. */
  private static String pathAndQuery(URI uri) {
    return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
  }
}
