package io.imagecache.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Small management calls over loopback HTTP (JSON and status codes, not data-path timing). */
final class HttpCalls {
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  /** A response's status and body text. */
  record Reply(int status, String body) {}

  /** Sends {@code method url} with an optional admin token and JSON body; bounded to 60 s. */
  Reply send(String method, String url, String token, String jsonBody) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      request.header("X-Auth-Token", token);
    }
    if (jsonBody != null) {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  /** Uploads {@code file} with {@code PUT url} as {@code application/octet-stream}; bounded to 10 min. */
  Reply upload(String url, Path file) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMinutes(10))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofFile(file))
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body());
  }

  /** Polls {@code GET url} every 20 ms until it answers 2xx or {@code timeout} passes. */
  boolean awaitOk(String url, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (send("GET", url, null, null).status() / 100 == 2) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(20);
    }
    return false;
  }
}
