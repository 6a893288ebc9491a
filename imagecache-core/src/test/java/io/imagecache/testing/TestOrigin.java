package io.imagecache.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imagecache.internal.store.DigestAlgorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A real HTTP origin on 127.0.0.1 for tests, speaking both origin dialects at once:
 * <ul>
 *   <li>plain HTTP store — {@code GET|HEAD /images/{id}} with {@code Content-Length},
 *       {@code Content-MD5} (hex, as Glance sends it) and {@code Repr-Digest} (sha-256, sha-512);
 *   <li>Glance — {@code GET /v2/images/{id}} (JSON: status, size, checksum, os_hash_algo=sha512,
 *       os_hash_value) and {@code GET /v2/images/{id}/file} (chunked, as Glance streams a cache
 *       miss, with {@code Content-MD5}).
 * </ul>
 * Misbehaviour is set with {@link Knobs}, per image ({@link #put} returns the image) or for all
 * images ({@link #global()}; an image's own setting wins): an error status, a byte rate, a pause
 * after N bytes, a dropped connection after N bytes, wrong digests, no Content-Length, held
 * headers. A required token ({@link #requireToken}) is checked as {@code Authorization: Bearer} on
 * {@code /images/} and as {@code X-Auth-Token} on {@code /v2/}; every request is recorded with its
 * headers.
 */
public final class TestOrigin implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  /** Images by id; the map is concurrent, images are safe to change from the test thread. */
  private final Map<String, Image> images = new ConcurrentHashMap<>();
  private final Knobs global = new Knobs();
  /** Every request in arrival order, appended by serving threads. */
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  /** The token every request must carry, when set; written by the test, read by serving threads. */
  private volatile Optional<String> requiredToken = Optional.empty();

  private TestOrigin(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts an origin on a free loopback port. */
  public static TestOrigin start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    ExecutorService executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "test-origin");
      thread.setDaemon(true);
      return thread;
    });
    TestOrigin origin = new TestOrigin(server, executor);
    server.setExecutor(executor);
    server.createContext("/", origin::handle);
    server.start();
    return origin;
  }

  // ---- addresses

  /** {@code http://127.0.0.1:PORT}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** The listening port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The ORIGIN setting for the plain HTTP dialect: {@code http://127.0.0.1:PORT/images/{id}}. */
  public String httpTemplate() {
    return baseUri() + "/images/{id}";
  }

  /** The ORIGIN setting for the Glance dialect: {@code glance+http://127.0.0.1:PORT}. */
  public String glanceSpec() {
    return "glance+" + baseUri();
  }

  // ---- images and knobs

  /** Serves {@code bytes} as image {@code id} (replacing an earlier one) and returns it for its knobs. */
  public Image put(String id, byte[] bytes) {
    byte[] copy = bytes.clone();
    return put(id, new Content(copy.length, (out, from, to) -> out.write(copy, (int) from, (int) (to - from)),
        digests(copy)));
  }

  /** Serves a generated image as {@code id}, streamed without holding it in memory. */
  public Image put(String id, GeneratedImage image) {
    return put(id, new Content(image.size(), image::writeTo, Map.of(
        DigestAlgorithm.MD5, HexFormat.of().parseHex(image.md5()),
        DigestAlgorithm.SHA_256, HexFormat.of().parseHex(image.sha256()),
        DigestAlgorithm.SHA_512, HexFormat.of().parseHex(image.sha512()))));
  }

  private Image put(String id, Content content) {
    Image image = new Image(content);
    images.put(id, image);
    return image;
  }

  /** The image served as {@code id}, for changing its knobs. */
  public Image image(String id) {
    Image image = images.get(id);
    if (image == null) {
      throw new IllegalArgumentException("no image " + id + " on this test origin");
    }
    return image;
  }

  /** Stops serving image {@code id}: it answers 404 from now on. */
  public void remove(String id) {
    images.remove(id);
  }

  /** Knobs for every image; an image's own knob, when set, wins. */
  public Knobs global() {
    return global;
  }

  /** Makes every request need {@code token} (bearer on /images/, X-Auth-Token on /v2/), else 401. */
  public TestOrigin requireToken(String token) {
    requiredToken = Optional.of(token);
    return this;
  }

  // ---- recording

  /** Every request received so far, in order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** The requests received for {@code path} (e.g. {@code /v2/images/x/file}). */
  public List<RecordedRequest> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** How many requests {@code path} received. */
  public int requestCount(String path) {
    return requests(path).size();
  }

  /** Stops the server at once; responses held at a gate or in a slow transfer are cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- serving

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    requests.add(new RecordedRequest(method, path, exchange.getRequestHeaders()));
    try {
      if (path.startsWith("/images/") && (method.equals("GET") || method.equals("HEAD"))) {
        serveTemplate(exchange, path.substring("/images/".length()), method.equals("HEAD"));
      } else if (path.startsWith("/v2/images/") && path.endsWith("/file") && method.equals("GET")) {
        String id = path.substring("/v2/images/".length(), path.length() - "/file".length());
        serveGlanceFile(exchange, id);
      } else if (path.startsWith("/v2/images/") && method.equals("GET")) {
        serveGlanceMetadata(exchange, path.substring("/v2/images/".length()));
      } else if (path.startsWith("/v2/images/") && method.equals("DELETE")) {
        deleteGlanceImage(exchange, path.substring("/v2/images/".length()));
      } else {
        sendText(exchange, 404, "no such path");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("test origin stopped", e);
    }
    // Only a complete response is closed (which ends a chunked body properly); any exception above
    // leaves it open, and the server then drops the connection mid-body.
    exchange.close();
  }

  private void serveTemplate(HttpExchange exchange, String id, boolean head) throws IOException, InterruptedException {
    Image image = images.get(id);
    if (requiredToken.isPresent()
        && !exchange.getRequestHeaders().getOrDefault("Authorization", List.of())
            .contains("Bearer " + requiredToken.get())) {
      sendText(exchange, 401, "bearer token required");
      return;
    }
    if (image == null) {
      sendText(exchange, 404, "no image " + id);
      return;
    }
    Optional<Integer> status = image.effective(k -> k.status, global);
    if (status.isPresent()) {
      sendText(exchange, status.get(), "status " + status.get() + " as configured");
      return;
    }
    if (head && image.effective(k -> k.refuseHead, global).orElse(false)) {
      sendText(exchange, 405, "HEAD not allowed");
      return;
    }
    holdHeaders(image);
    Map<DigestAlgorithm, byte[]> digests = advertised(image);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/octet-stream");
    if (!image.effective(k -> k.omitDigests, global).orElse(false)) {
      byte[] md5 = digests.get(DigestAlgorithm.MD5);
      headers.set("Content-MD5", image.effective(k -> k.md5AsBase64, global).orElse(false)
          ? Base64.getEncoder().encodeToString(md5) : HexFormat.of().formatHex(md5));
      headers.set("Repr-Digest",
          "sha-256=:" + Base64.getEncoder().encodeToString(digests.get(DigestAlgorithm.SHA_256)) + ":, "
              + "sha-512=:" + Base64.getEncoder().encodeToString(digests.get(DigestAlgorithm.SHA_512)) + ":");
    }
    boolean chunked = image.effective(k -> k.omitContentLength, global).orElse(false);
    if (servedRange(exchange, image, head)) {
      return;
    }
    if (head) {
      if (!chunked) {
        headers.set("Content-Length", Long.toString(image.content.size));
      }
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, chunked ? 0 : image.content.size == 0 ? -1 : image.content.size);
    sendBody(exchange, image, 0, image.content.size);
  }

  /**
   * With the {@link Knobs#ranges} knob: sets {@code Accept-Ranges} and the validators, and answers
   * a current {@code Range: bytes=N-} or {@code bytes=N-M} request with 206 (true); otherwise
   * leaves the answer to the caller (false).
   */
  private boolean servedRange(HttpExchange exchange, Image image, boolean head)
      throws IOException, InterruptedException {
    var headers = exchange.getResponseHeaders();
    long from;
    Optional<Ranges> ranges = image.effective(k -> k.ranges, global);
    if (ranges.isPresent()) {
      Ranges r = ranges.get();
      int get = head ? Math.max(0, r.gets().get() - 1) : r.gets().getAndIncrement();
      Optional<String> etag = r.etags().isEmpty() ? Optional.empty()
          : Optional.of(r.etags().get(Math.min(get, r.etags().size() - 1)));
      headers.set("Accept-Ranges", "bytes");
      etag.ifPresent(value -> headers.set("ETag", value));
      r.lastModified().ifPresent(value -> headers.set("Last-Modified", value));
      String range = exchange.getRequestHeaders().getFirst("Range");
      String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
      boolean current = ifRange == null || etag.map(ifRange::equals).orElse(false)
          || r.lastModified().map(ifRange::equals).orElse(false);
      java.util.regex.Matcher bytes = java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d*)")
          .matcher(range == null ? "" : range);
      if (!head && bytes.matches() && current) {
        from = Long.parseLong(bytes.group(1));
        long to = bytes.group(2).isEmpty() ? image.content.size
            : Math.min(image.content.size, Long.parseLong(bytes.group(2)) + 1);
        if (from >= to) {
          sendText(exchange, 416, "range not satisfiable");
          return true;
        }
        headers.set("Content-Range",
            "bytes " + from + "-" + (to - 1) + "/" + image.content.size);
        exchange.sendResponseHeaders(206, to - from);
        sendBody(exchange, image, from, to);
        return true;
      }
    }
    return false;
  }

  private void serveGlanceMetadata(HttpExchange exchange, String id) throws IOException, InterruptedException {
    Optional<Image> image = visibleGlanceImage(exchange, id);
    if (image.isEmpty()) {
      return;
    }
    Image found = image.get();
    holdHeaders(found);
    Map<DigestAlgorithm, byte[]> digests = advertised(found);
    boolean hasData = !found.glanceStatus.equals("queued");
    boolean withDigests = hasData && !found.effective(k -> k.omitDigests, global).orElse(false);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("id", id);
    document.put("name", id);
    document.put("status", found.glanceStatus);
    document.put("visibility", found.visibleTo.isEmpty() ? "public" : "private");
    document.put("size", hasData ? found.content.size : null);
    document.put("checksum", withDigests ? HexFormat.of().formatHex(digests.get(DigestAlgorithm.MD5)) : null);
    document.put("os_hash_algo", withDigests ? "sha512" : null);
    document.put("os_hash_value", withDigests ? HexFormat.of().formatHex(digests.get(DigestAlgorithm.SHA_512)) : null);
    document.put("disk_format", "raw");
    document.put("container_format", "bare");
    document.put("file", "/v2/images/" + id + "/file");
    document.put("self", "/v2/images/" + id);
    document.put("schema", "/v2/schemas/image");
    synchronized (found.glanceFields) {
      document.putAll(found.glanceFields);
    }
    byte[] body = JSON.writeValueAsBytes(document);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  private void serveGlanceFile(HttpExchange exchange, String id) throws IOException, InterruptedException {
    Optional<Image> image = visibleGlanceImage(exchange, id);
    if (image.isEmpty()) {
      return;
    }
    Image found = image.get();
    if (!found.glanceStatus.equals("active")) {
      // Glance: a deactivated image is forbidden to download, one without data has no content.
      sendText(exchange, found.glanceStatus.equals("deactivated") ? 403 : 204, "");
      return;
    }
    holdHeaders(found);
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    if (!found.effective(k -> k.omitDigests, global).orElse(false)) {
      exchange.getResponseHeaders().set("Content-MD5", HexFormat.of().formatHex(advertised(found).get(DigestAlgorithm.MD5)));
    }
    if (servedRange(exchange, found, false)) {
      return;
    }
    exchange.sendResponseHeaders(200, 0); // chunked, like Glance on a cache miss
    sendBody(exchange, found, 0, found.content.size);
  }

  /**
   * Glance's image delete: refused like a read (401 for a missing or refused token, 404 for an
   * image the caller cannot see, a configured status), plus 401 without a token for a private
   * image; otherwise the image is gone for everyone afterwards.
   */
  private void deleteGlanceImage(HttpExchange exchange, String id) throws IOException {
    Image image = images.get(id);
    if (image != null && !image.visibleTo.isEmpty()
        && exchange.getRequestHeaders().getFirst("X-Auth-Token") == null) {
      sendText(exchange, 401, "The request you have made requires authentication.");
      return;
    }
    if (visibleGlanceImage(exchange, id).isEmpty()) {
      return;
    }
    images.remove(id);
    sendText(exchange, 204, "");
  }

  /** The image if the request may see it; otherwise the answer (401, 404, configured status) is sent. */
  private Optional<Image> visibleGlanceImage(HttpExchange exchange, String id) throws IOException {
    Optional<String> token = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Auth-Token"));
    if (requiredToken.isPresent() && !token.equals(requiredToken)) {
      sendText(exchange, 401, "The request you have made requires authentication.");
      return Optional.empty();
    }
    Image image = images.get(id);
    if (image == null || !image.visibleTo.isEmpty() && (token.isEmpty() || !image.visibleTo.contains(token.get()))) {
      sendText(exchange, 404, "No image found with ID " + id);
      return Optional.empty();
    }
    Optional<Integer> status = image.effective(k -> k.status, global);
    if (status.isPresent()) {
      sendText(exchange, status.get(), "status " + status.get() + " as configured");
      return Optional.empty();
    }
    return Optional.of(image);
  }

  private void holdHeaders(Image image) throws InterruptedException {
    Optional<Gate> gate = image.effective(k -> k.headersGate, global);
    if (gate.isPresent()) {
      gate.get().pass();
    }
  }

  /** The digests to announce: the true ones, or deliberately wrong ones where a knob says so. */
  private Map<DigestAlgorithm, byte[]> advertised(Image image) {
    Map<DigestAlgorithm, byte[]> digests = new LinkedHashMap<>(image.content.digests);
    if (image.effective(k -> k.wrongMd5, global).orElse(false)) {
      digests.put(DigestAlgorithm.MD5, flipped(digests.get(DigestAlgorithm.MD5)));
    }
    if (image.effective(k -> k.wrongReprDigest, global).orElse(false)) {
      digests.put(DigestAlgorithm.SHA_256, flipped(digests.get(DigestAlgorithm.SHA_256)));
      digests.put(DigestAlgorithm.SHA_512, flipped(digests.get(DigestAlgorithm.SHA_512)));
    }
    return digests;
  }

  /**
   * Writes the image bytes {@code [from, to)}, honouring rate, pause, corruption and truncation; a
   * truncation or pause at or before {@code from} is one an earlier response met, and one at or
   * beyond {@code to} one a later response will meet.
   */
  private void sendBody(HttpExchange exchange, Image image, long from, long to)
      throws IOException, InterruptedException {
    long size = image.content.size;
    long truncate = image.effective(k -> k.truncateAfter, global).orElse(size);
    long end = from > 0 && truncate <= from ? to : Math.min(to, truncate);
    Optional<Long> cutEach = image.effective(k -> k.cutEachAfter, global);
    if (cutEach.isPresent()) {
      end = Math.min(end, from + cutEach.get());
    }
    long rate = image.effective(k -> k.rateBytesPerSecond, global).orElse(0L);
    Optional<Pause> pause = image.effective(k -> k.pause, global)
        .filter(p -> (from == 0 || p.after() > from) && (to == size || p.after() < to));
    Optional<Long> corrupt = image.effective(k -> k.corruptAt, global);
    int chunk = rate > 0 ? (int) Math.max(1, Math.min(64 * 1024, rate / 50)) : 64 * 1024;
    OutputStream out = new CountingOutput(exchange.getResponseBody(), image.bytesSent, from, corrupt);
    long started = System.nanoTime();
    long position = from;
    while (true) {
      if (pause.isPresent() && position == Math.min(pause.get().after(), end)) {
        out.flush();
        pause.get().gate().pass();
        pause = Optional.empty();
      }
      if (position >= end) {
        break;
      }
      long stop = Math.min(end, position + chunk);
      if (pause.isPresent() && pause.get().after() > position) {
        stop = Math.min(stop, pause.get().after());
      }
      image.content.writer.write(out, position, stop);
      position = stop;
      if (rate > 0) {
        out.flush();
        waitUntil(started + (long) ((position - from) * 1e9 / rate));
      }
    }
    if (end < to) {
      out.flush();
      // Abandon the exchange mid-body: the server closes the connection, the client sees a short body.
      throw new IOException("test origin truncated image after " + end + " of " + size + " bytes");
    }
  }

  /** Counts the body bytes an image sent and flips the byte at the corrupted offset, if any. */
  private static final class CountingOutput extends java.io.FilterOutputStream {
    private final java.util.concurrent.atomic.AtomicLong sent;
    private final Optional<Long> corruptAt;
    private long position;

    CountingOutput(OutputStream out, java.util.concurrent.atomic.AtomicLong sent, long from,
        Optional<Long> corruptAt) {
      super(out);
      this.sent = sent;
      this.position = from;
      this.corruptAt = corruptAt;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      byte[] bytes = b;
      int start = off;
      if (corruptAt.isPresent() && corruptAt.get() >= position && corruptAt.get() < position + len) {
        bytes = java.util.Arrays.copyOfRange(b, off, off + len);
        start = 0;
        bytes[(int) (corruptAt.get() - position)] ^= (byte) 0xff;
      }
      out.write(bytes, start, len);
      position += len;
      sent.addAndGet(len);
    }
  }

  private static void waitUntil(long deadlineNanos) throws InterruptedException {
    for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        throw new InterruptedException("test origin stopped");
      }
    }
  }

  private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    boolean noBody = body.length == 0 || status == 204 || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) {
      exchange.getResponseBody().write(body);
    }
  }

  private static Map<DigestAlgorithm, byte[]> digests(byte[] bytes) {
    Map<DigestAlgorithm, byte[]> digests = new LinkedHashMap<>();
    for (DigestAlgorithm algorithm : List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_512)) {
      MessageDigest digest = algorithm.newMessageDigest();
      digests.put(algorithm, digest.digest(bytes));
    }
    return digests;
  }

  private static byte[] flipped(byte[] digest) {
    byte[] copy = digest.clone();
    copy[0] ^= (byte) 0xff;
    return copy;
  }

  // ---- knobs and images

  /** Writes the content bytes {@code [from, to)}. */
  @FunctionalInterface
  private interface RangeWriter {
    void write(OutputStream out, long from, long to) throws IOException;
  }

  /** Range support: the ETag of each GET in turn, a Last-Modified, and the GETs counted so far. */
  private record Ranges(List<String> etags, Optional<String> lastModified,
      java.util.concurrent.atomic.AtomicInteger gets) {}

  /** Where a body stops and the gate it waits at. */
  private record Pause(long after, Gate gate) {}

  /** What an image serves: its size, a writer of any range and its true digests. */
  private record Content(long size, RangeWriter writer, Map<DigestAlgorithm, byte[]> digests) {}

  /**
   * How responses misbehave. Each knob is unset until a test sets it; an image's setting wins over
   * the origin-wide one. Fields are volatile: set by the test thread, read by serving threads.
   */
  public static class Knobs {
    private volatile Integer status;
    private volatile Long rateBytesPerSecond;
    private volatile Pause pause;
    private volatile Long truncateAfter;
    private volatile Boolean wrongMd5;
    private volatile Boolean wrongReprDigest;
    private volatile Boolean md5AsBase64;
    private volatile Boolean omitDigests;
    private volatile Gate headersGate;
    private volatile Boolean omitContentLength;
    private volatile Long corruptAt;
    private volatile Ranges ranges;
    private volatile Long cutEachAfter;
    private volatile Boolean refuseHead;

    Knobs() {}

    /** Answers every request for the image with {@code status} (e.g. 404, 401, 403, 500) and a short text. */
    public Knobs status(int status) {
      this.status = status;
      return this;
    }

    /** Sends the body at about {@code bytesPerSecond}. */
    public Knobs rateLimit(long bytesPerSecond) {
      if (bytesPerSecond <= 0) {
        throw new IllegalArgumentException("rate must be positive: " + bytesPerSecond);
      }
      this.rateBytesPerSecond = bytesPerSecond;
      return this;
    }

    /** Sends the first {@code bytes} bytes, flushes, and waits at the returned gate until it is released. */
    public Gate pauseAfter(long bytes) {
      Gate gate = new Gate();
      this.pause = new Pause(bytes, gate);
      return gate;
    }

    /** Sends the first {@code bytes} bytes and then drops the connection, although more were announced. */
    public Knobs truncateAfter(long bytes) {
      this.truncateAfter = bytes;
      return this;
    }

    /** Announces a wrong MD5 ({@code Content-MD5}, Glance {@code checksum}). */
    public Knobs wrongMd5() {
      this.wrongMd5 = true;
      return this;
    }

    /** Announces wrong SHA digests ({@code Repr-Digest}, Glance {@code os_hash_value}). */
    public Knobs wrongReprDigest() {
      this.wrongReprDigest = true;
      return this;
    }

    /** Sends {@code Content-MD5} on /images/ as base64 (RFC 1864) instead of Glance's hex. */
    public Knobs md5AsBase64() {
      this.md5AsBase64 = true;
      return this;
    }

    /** Announces no digests at all (no Content-MD5, no Repr-Digest, null checksum and hash). */
    public Knobs omitDigests() {
      this.omitDigests = true;
      return this;
    }

    /** Sends the body on /images/ chunked, without {@code Content-Length} (also on HEAD). */
    public Knobs omitContentLength() {
      this.omitContentLength = true;
      return this;
    }

    /** Sends the byte at {@code offset} with its bits flipped, the announced digests unchanged. */
    public Knobs corruptByteAt(long offset) {
      this.corruptAt = offset;
      return this;
    }

    /**
     * Answers {@code Range: bytes=N-} on /images/ and Glance's /file with 206, announcing {@code Accept-Ranges: bytes}
     * and, per GET in arrival order, {@code etags[i]} (the last one for all later GETs; none when
     * {@code etags} is empty) and {@code lastModified} when given. An {@code If-Range} that is not
     * the current validator gets the whole image (200), as RFC 9110 says.
     */
    public Knobs ranges(Optional<String> lastModified, String... etags) {
      this.ranges = new Ranges(List.of(etags), lastModified, new java.util.concurrent.atomic.AtomicInteger());
      return this;
    }

    /** Drops the connection after each response sent {@code bytes} bytes of its body. */
    public Knobs cutEachResponseAfter(long bytes) {
      this.cutEachAfter = bytes;
      return this;
    }

    /** Answers {@code HEAD} on /images/ with 405, as a store that only signs GETs might. */
    public Knobs refuseHead() {
      this.refuseHead = true;
      return this;
    }

    /** Holds each response before its headers until the returned gate is released. */
    public Gate holdHeaders() {
      Gate gate = new Gate();
      this.headersGate = gate;
      return gate;
    }
  }

  /** One served image: its content, its knobs and its Glance-side status and visibility. */
  public static final class Image extends Knobs {
    private final Content content;
    /** Body bytes sent for this image over all responses. */
    private final java.util.concurrent.atomic.AtomicLong bytesSent = new java.util.concurrent.atomic.AtomicLong();
    /** Glance status; set by the test thread, read by serving threads. */
    private volatile String glanceStatus = "active";
    /** Tokens that may see the image on /v2/ (empty: everyone); replaced whole by the test thread. */
    private volatile Set<String> visibleTo = Set.of();
    /** Fields that replace the computed ones in the metadata document (null allowed); guarded by itself. */
    private final Map<String, Object> glanceFields = Collections.synchronizedMap(new LinkedHashMap<>());

    private Image(Content content) {
      this.content = content;
    }

    /** Body bytes sent for this image so far, over all responses (cut ones included). */
    public long bytesSent() {
      return bytesSent.get();
    }

    /** The Glance status the metadata reports, e.g. {@code queued} or {@code deactivated}. */
    public Image glanceStatus(String status) {
      this.glanceStatus = status;
      return this;
    }

    /** Makes the image visible on /v2/ only to requests carrying one of {@code tokens}; others get 404. */
    public Image visibleTo(String... tokens) {
      this.visibleTo = Set.of(tokens);
      return this;
    }

    /**
     * Replaces field {@code name} of the Glance metadata document with {@code value} (a string,
     * number, boolean or null), e.g. to announce a malformed size or an unknown {@code os_hash_algo}.
     */
    public Image glanceField(String name, Object value) {
      glanceFields.put(name, value);
      return this;
    }

    /** The image's own value of a knob, else the origin-wide one. */
    private <T> Optional<T> effective(Function<Knobs, T> knob, Knobs global) {
      T own = knob.apply(this);
      return Optional.ofNullable(own != null ? own : knob.apply(global));
    }
  }
}
