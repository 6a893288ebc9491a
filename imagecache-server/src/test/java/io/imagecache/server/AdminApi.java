package io.imagecache.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The cache API as a test calls it: requests to a {@link ServerHarness} carrying the admin token
 * (or another, or none), and the documents it answers read as JSON.
 */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerHarness server;

  AdminApi(ServerHarness server) {
    this.server = server;
  }

  /** {@code method path} with the admin token and {@code headers} (name, value, …). */
  HttpResponse<String> send(String method, String path, String... headers)
      throws IOException, InterruptedException {
    return send(Optional.of(ServerHarness.ADMIN_TOKEN), method, path, headers);
  }

  /** {@code method path} with {@code token} as X-Auth-Token (none when empty). */
  HttpResponse<String> send(Optional<String> token, String method, String path,
      String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = server.request(path).method(method, BodyPublishers.noBody());
    token.ifPresent(value -> request.header("X-Auth-Token", value));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return server.client().send(request.build(), BodyHandlers.ofString());
  }

  /** {@code method path} with the admin token and {@code body} as the request body. */
  HttpResponse<String> sendWithBody(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request = server.request(path)
        .header("X-Auth-Token", ServerHarness.ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, BodyPublishers.ofString(body))
        .build();
    return server.client().send(request, BodyHandlers.ofString());
  }

  /** {@code GET /v2/cache}, which must answer 200. */
  JsonNode listing() throws IOException, InterruptedException {
    return okJson("GET", "/v2/cache");
  }

  /** {@code GET /v2/cache/status}, which must answer 200. */
  JsonNode status() throws IOException, InterruptedException {
    return okJson("GET", "/v2/cache/status");
  }

  /** The ids in {@code cached_images}. */
  List<String> cachedIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    listing().path("cached_images").forEach(entry -> ids.add(entry.path("image_id").asText()));
    return ids;
  }

  /** The ids in {@code queued_images}. */
  List<String> queuedIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    listing().path("queued_images").forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** The {@code cached_images} entry of {@code id}, if listed. */
  Optional<JsonNode> cachedEntry(String id) throws IOException, InterruptedException {
    return StreamSupport.stream(listing().path("cached_images").spliterator(), false)
        .filter(entry -> entry.path("image_id").asText().equals(id))
        .findFirst();
  }

  /** The {@code prefetch} entry of {@code id} in the status, if listed. */
  Optional<JsonNode> prefetchEntry(String id) throws IOException, InterruptedException {
    return StreamSupport.stream(status().path("prefetch").spliterator(), false)
        .filter(entry -> entry.path("image_id").asText().equals(id))
        .findFirst();
  }

  /** Whether no fill runs and the prefetch queue knows nothing: all queued work has ended. */
  boolean idle() throws IOException, InterruptedException {
    JsonNode status = status();
    return status.path("fills").isEmpty() && status.path("prefetch").isEmpty();
  }

  /** {@code method path} with the admin token, which must answer 200 with JSON. */
  JsonNode okJson(String method, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(method, path);
    if (response.statusCode() != 200) {
      throw new AssertionError(method + " " + path + " answered " + response.statusCode()
          + ": " + response.body());
    }
    return parse(response.body());
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }
}
