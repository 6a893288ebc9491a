package io.imagecache.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Sends management calls to one imagecache server with the admin token, and turns every failure
 * into a {@link ClientFailure} with one line to show: no connection, no answer in time, an error
 * status (with the first line of the server's message), or an answer that is not the JSON asked
 * for.
 */
final class ApiClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_MESSAGE = 300;

  private final HttpClient http;
  private final URI server;
  private final AdminCredential credential;
  private final ObjectMapper json = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  ApiClient(HttpClient http, URI server, AdminCredential credential) {
    this.http = Objects.requireNonNull(http, "http");
    this.server = Objects.requireNonNull(server, "server");
    this.credential = Objects.requireNonNull(credential, "credential");
  }

  /** A client with its own HTTP/1.1 connection pool and a 5 s connect timeout. */
  static ApiClient connect(URI server, AdminCredential credential) {
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    return new ApiClient(http, server, credential);
  }

  /** The server's base URL, for messages. */
  URI server() {
    return server;
  }

  /** Sends {@code method path} without a body; the body of the 2xx answer. */
  String send(String method, String path) throws ClientFailure {
    return send(method, path, Map.of());
  }

  /** Sends {@code method path} with extra headers and no body; the body of the 2xx answer. */
  String send(String method, String path, Map<String, String> headers) throws ClientFailure {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path))
        .timeout(REQUEST_TIMEOUT)
        .header("X-Auth-Token", credential.token())
        .header("Accept", "application/json")
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    String call = method + " " + path;
    HttpResponse<String> response;
    try {
      response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw ClientFailure.failed("cannot connect to " + server + ": no connection within "
          + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (HttpTimeoutException e) {
      throw ClientFailure.failed(server + " did not answer " + call + " within "
          + REQUEST_TIMEOUT.toSeconds() + " s");
    } catch (ConnectException e) {
      throw ClientFailure.failed("cannot connect to " + server + ": "
          + (e.getMessage() == null ? "connection refused" : e.getMessage()));
    } catch (IOException e) {
      throw ClientFailure.failed(call + " to " + server + " failed: " + ErrorText.of(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ClientFailure.failed("interrupted during " + call);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw ClientFailure.answered(status, errorMessage(status, call, response.body()));
    }
    return response.body();
  }

  /** Sends {@code method path} and parses the 2xx answer as JSON. */
  JsonAnswer sendForJson(String method, String path) throws ClientFailure {
    return parseJson(method + " " + path, send(method, path));
  }

  /** The answer {@code body} to {@code call} as JSON, or a failure saying it is not JSON. */
  JsonAnswer parseJson(String call, String body) throws ClientFailure {
    try {
      JsonNode tree = json.readTree(body);
      if (tree == null || tree.isMissingNode()) {
        throw ClientFailure.failed("the answer to " + call + " from " + server
            + " is empty, not JSON");
      }
      return new JsonAnswer(call, body, tree);
    } catch (JsonProcessingException e) {
      throw ClientFailure.failed("the answer to " + call + " from " + server + " is not JSON: "
          + firstLine(e.getOriginalMessage()));
    }
  }

  private String errorMessage(int status, String call, String body) {
    String message = firstLine(body);
    StringBuilder line = new StringBuilder("server answered ").append(status);
    if (message.isEmpty()) {
      line.append(" to ").append(call);
    } else {
      line.append(": ").append(message);
    }
    if (status == 401 || status == 403) {
      line.append(" (the admin token came from ").append(credential.source()).append(')');
    }
    return line.toString();
  }

  /** The first non-blank line of {@code text}, shortened to a readable length. */
  static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().lines().findFirst().orElse("").strip();
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "…" : line;
  }
}
