package io.imagecache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One soak client: until its deadline, a weighted mix of full GETs, range GETs, HEADs and admin calls against
 * the server on 127.0.0.1, each answer checked (every body byte for byte against the origin's image) and
 * counted in the shared {@link SoakTally}. One per thread; its HTTP client is its own.
 */
final class SoakClient implements Runnable {
  /** Operation weights, per mille. */
  private static final int GET = 500;
  private static final int RANGE = GET + 200;
  private static final int HEAD = RANGE + 150;
  private static final int QUEUE = HEAD + 70;
  private static final int DELETE = QUEUE + 50;
  private static final int PRUNE = DELETE + 25;
  private static final int CLEAR = PRUNE + 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String base;
  private final String cacheDir;
  private final SoakImages images;
  private final SoakTally tally;
  private final long deadlineNanos;
  private final SplittableRandom random;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private final byte[] buffer = new byte[64 * 1024];

  SoakClient(String base, String cacheDir, SoakImages images, SoakTally tally, long deadlineNanos, long seed) {
    this.base = base;
    this.cacheDir = cacheDir;
    this.images = images;
    this.tally = tally;
    this.deadlineNanos = deadlineNanos;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void run() {
    while (System.nanoTime() < deadlineNanos && !Thread.currentThread().isInterrupted()) {
      SoakImages.Image image = images.pick(random);
      int dice = random.nextInt(CLEAR);
      try {
        if (dice < GET) {
          fullGet(image);
        } else if (dice < RANGE) {
          rangeGet(image);
        } else if (dice < HEAD) {
          head(image);
        } else if (dice < QUEUE) {
          admin("PUT /v2/cache/{id}", "PUT", "/v2/cache/" + image.id(), 202);
        } else if (dice < DELETE) {
          admin("DELETE /v2/cache/{id}", "DELETE", "/v2/cache/" + image.id(), 204);
        } else if (dice < PRUNE) {
          admin("POST /v2/cache/prune", "POST", "/v2/cache/prune", 200);
        } else {
          admin("DELETE /v2/cache", "DELETE", "/v2/cache", 204);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void fullGet(SoakImages.Image image) throws InterruptedException {
    String op = "GET";
    Optional<HttpResponse<InputStream>> sent = send(op, image(image, "GET").build());
    if (sent.isEmpty()) {
      return;
    }
    HttpResponse<InputStream> response = sent.get();
    if (response.statusCode() != 200) {
      unexpected(op, response);
      return;
    }
    checkMd5Header(op, response, image);
    if (readAndCompare(op, response, image.bytes(), 0, image.bytes().length)) {
      tally.ok(op, "200");
    }
  }

  private void rangeGet(SoakImages.Image image) throws InterruptedException {
    String op = "GET Range";
    int size = image.bytes().length;
    int first = random.nextInt(size);
    int last = Math.min(size - 1, first + random.nextInt(Math.min(size, 2 << 20)));
    Optional<HttpResponse<InputStream>> sent =
        send(op, image(image, "GET").header("Range", "bytes=" + first + "-" + last).build());
    if (sent.isEmpty()) {
      return;
    }
    HttpResponse<InputStream> response = sent.get();
    if (response.statusCode() == 200) {
      // a pass-through (or a fill not yet far enough for this client's choice) answers the whole image
      if (readAndCompare(op, response, image.bytes(), 0, size)) {
        tally.ok(op, "200 (whole image)");
      }
      return;
    }
    if (response.statusCode() != 206) {
      unexpected(op, response);
      return;
    }
    String expected = "bytes " + first + "-" + last + "/" + size;
    String contentRange = response.headers().firstValue("Content-Range").orElse("");
    if (!contentRange.equals(expected)) {
      drain(response);
      tally.error(op, "wrong Content-Range", true, contentRange + " for " + expected);
      return;
    }
    if (readAndCompare(op, response, image.bytes(), first, last + 1)) {
      tally.ok(op, "206");
    }
  }

  private void head(SoakImages.Image image) throws InterruptedException {
    String op = "HEAD";
    Optional<HttpResponse<InputStream>> sent =
        send(op, image(image, "HEAD").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    if (sent.isEmpty()) {
      return;
    }
    HttpResponse<InputStream> response = sent.get();
    if (response.statusCode() != 200) {
      unexpected(op, response);
      return;
    }
    drain(response);
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (length != image.size()) {
      tally.error(op, "wrong Content-Length", true, length + " for " + image.size() + " of " + image.id());
      return;
    }
    if (checkMd5Header(op, response, image)) {
      tally.ok(op, "200");
    }
  }

  private void admin(String op, String method, String path, int expected) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
        .header("X-Auth-Token", ImagecacheProcess.TOKEN)
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    Optional<HttpResponse<InputStream>> sent = send(op, request);
    if (sent.isEmpty()) {
      return;
    }
    HttpResponse<InputStream> response = sent.get();
    if (response.statusCode() != expected) {
      unexpected(op, response);
      return;
    }
    drain(response);
    tally.ok(op, Integer.toString(expected));
  }

  private HttpRequest.Builder image(SoakImages.Image image, String method) {
    return HttpRequest.newBuilder(URI.create(base + "/v2/images/" + image.id() + "/file")).timeout(TIMEOUT);
  }

  private Optional<HttpResponse<InputStream>> send(String op, HttpRequest request) throws InterruptedException {
    try {
      return Optional.of(client.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    } catch (HttpTimeoutException e) {
      tally.error(op, "timeout (no answer in " + TIMEOUT.toSeconds() + " s)", true, null);
    } catch (IOException e) {
      tally.error(op, "connection error: " + firstWords(String.valueOf(e.getMessage()), 5), true, e.toString());
    }
    return Optional.empty();
  }

  /**
   * Reads the body and compares it with {@code expected[from, to)}; counts a wrong byte, a wrong length or a
   * broken body as an error. True when the body was exactly right.
   */
  private boolean readAndCompare(String op, HttpResponse<InputStream> response, byte[] expected, int from, int to) {
    long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (declared >= 0 && declared != to - from) {
      tally.error(op, "wrong Content-Length", true, declared + " for " + (to - from));
    }
    int position = from;
    try (InputStream body = response.body()) {
      for (int n; (n = body.read(buffer)) > 0; ) {
        if (position + n > to) {
          tally.error(op, "body longer than the image", true, null);
          return false;
        }
        if (!Arrays.equals(buffer, 0, n, expected, position, position + n)) {
          tally.error(op, "wrong bytes", true, "at offset " + position);
          return false;
        }
        position += n;
        tally.bytes(n);
      }
    } catch (IOException e) {
      // the documented answer to a fill that fails or is cancelled after the headers: a broken connection
      tally.error(op, "truncated body (connection broken)", false, e.toString());
      return false;
    }
    if (position != to) {
      tally.error(op, "short body that ended cleanly", true, (position - from) + " of " + (to - from) + " bytes");
      return false;
    }
    return true;
  }

  /** Checks {@code Content-MD5} (hex or base64) when present; true when absent or right. */
  private boolean checkMd5Header(String op, HttpResponse<InputStream> response, SoakImages.Image image) {
    Optional<String> header = response.headers().firstValue("Content-MD5");
    if (header.isEmpty()) {
      return true;
    }
    String value = header.get();
    String hex = value.length() == 32 ? value.toLowerCase(Locale.ROOT)
        : HexFormat.of().formatHex(Base64.getDecoder().decode(value));
    if (!hex.equals(image.md5Hex())) {
      tally.error(op, "wrong Content-MD5", true, value + " for " + image.md5Hex() + " of " + image.id());
      return false;
    }
    return true;
  }

  private void unexpected(String op, HttpResponse<InputStream> response) {
    String body;
    try (InputStream in = response.body()) {
      body = new String(in.readNBytes(300), java.nio.charset.StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      body = "(body broken: " + e.getMessage() + ")";
    }
    boolean carriesPath = body.contains(cacheDir) || body.matches("(?s).*(^|\\s)/[^\\s]+/[^\\s]+.*");
    String words = firstWords(body.replaceAll("/[^\\s]*", "<path>"), 4);
    tally.error(op, "status " + response.statusCode() + " '" + words + "'"
        + (carriesPath ? " (carries a server path)" : ""), true, body);
  }

  private static void drain(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the status was the answer
    }
  }

  private static String firstWords(String text, int words) {
    String[] parts = text.trim().split("\\s+");
    String joined = String.join(" ", Arrays.copyOf(parts, Math.min(words, parts.length)));
    return joined.length() > 60 ? joined.substring(0, 60) : joined;
  }
}
