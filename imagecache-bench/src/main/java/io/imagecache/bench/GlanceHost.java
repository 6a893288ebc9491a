package io.imagecache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real Glance 25.1.0 (Debian package) started by {@code shared/bench/glance/start-glance.sh} on
 * loopback with its image cache on, and stopped by {@code stop-glance.sh} at the end of the run.
 */
final class GlanceHost {
  private final BenchContext context;
  private final Path dir;
  private final int port;
  private final long pid;
  private final ObjectMapper json = new ObjectMapper();
  /** Uploaded images by file name → Glance id; written by scenarios one at a time. */
  private final Map<String, String> uploaded = new ConcurrentHashMap<>();

  private GlanceHost(BenchContext context, Path dir, int port, long pid) {
    this.context = context;
    this.dir = dir;
    this.port = port;
    this.pid = pid;
  }

  /** Runs the start script (installs the packages when missing; bounded to 10 minutes). */
  static GlanceHost start(BenchContext context) throws IOException, InterruptedException {
    Path scripts = context.options().glanceScripts();
    Path start = scripts.resolve("start-glance.sh");
    if (!Files.isRegularFile(start)) {
      throw new IOException("no " + start);
    }
    Path dir = Files.createDirectories(context.workDir().resolve("glance"));
    int port = Ports.free();
    context.processes().onStop(() -> stop(context, scripts, dir));
    String out = context.processes().run(List.of("bash", start.toString(), dir.toString(), Integer.toString(port)),
        600).trim();
    String[] lines = out.split("\n");
    long pid = Long.parseLong(lines[lines.length - 1].trim());
    GlanceHost glance = new GlanceHost(context, dir, port, pid);
    if (!context.http().awaitOk(glance.url("/healthcheck"), Duration.ofSeconds(60))) {
      throw new IOException("glance-api did not answer /healthcheck");
    }
    return glance;
  }

  /** Runs stop-glance.sh directly (not through {@link Processes}, which refuses new processes at shutdown). */
  private static void stop(BenchContext context, Path scripts, Path dir) {
    if (!Files.exists(dir.resolve("glance-api.pid"))) {
      return;
    }
    try {
      Process stop = new ProcessBuilder("bash", scripts.resolve("stop-glance.sh").toString(), dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!stop.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        stop.destroyForcibly();
      }
    } catch (IOException e) {
      System.err.println("stopping glance failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code http://127.0.0.1:PORT} + {@code path}. */
  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** The glance-api parent's PID (workers are its children). */
  long pid() {
    return pid;
  }

  /** The data-path URL of image {@code id}. */
  String fileUrl(String id) {
    return url("/v2/images/" + id + "/file");
  }

  /** Creates an image from {@code file} once (by file name) and returns its Glance id. */
  String image(Path file) throws IOException, InterruptedException {
    String key = file.getFileName().toString();
    String known = uploaded.get(key);
    if (known != null) {
      return known;
    }
    HttpCalls.Reply created = context.http().send("POST", url("/v2/images"), null,
        "{\"name\":\"" + key + "\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
    if (created.status() != 201) {
      throw new IOException("image create answered " + created.status() + ": " + created.body());
    }
    String id = json.readTree(created.body()).path("id").asText();
    HttpCalls.Reply upload = context.http().upload(url("/v2/images/" + id + "/file"), file);
    if (upload.status() != 204) {
      throw new IOException("upload answered " + upload.status() + ": " + upload.body());
    }
    uploaded.put(key, id);
    return id;
  }

  /** The ids Glance lists as cached. */
  Set<String> cachedIds() throws IOException, InterruptedException {
    HttpCalls.Reply reply = context.http().send("GET", url("/v2/cache"), null, null);
    if (reply.status() != 200) {
      throw new IOException("GET /v2/cache answered " + reply.status() + ": " + reply.body());
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode entry : json.readTree(reply.body()).path("cached_images")) {
      ids.add(entry.path("image_id").asText());
    }
    return ids;
  }

  /** Removes {@code id} from Glance's cache and waits until the listing no longer shows it. */
  void uncache(String id) throws IOException, InterruptedException {
    context.http().send("DELETE", url("/v2/cache/" + id), null, null);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cachedIds().contains(id) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  /** {@code PUT /v2/cache/{id}} (Glance's prefetch); returns the status. */
  int prefetch(String id) throws IOException, InterruptedException {
    return context.http().send("PUT", url("/v2/cache/" + id), null, null).status();
  }

  /** Polls every 20 ms until {@code id} is cached; false after {@code timeout}. */
  boolean awaitCached(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (cachedIds().contains(id)) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Bytes read so far by Glance's processes ({@code rchar} of {@code /proc/PID/io}). */
  long bytesRead() {
    long total = 0;
    for (long member : CpuTime.tree(pid)) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(member), "io"))) {
          if (line.startsWith("rchar:")) {
            total += Long.parseLong(line.substring(6).trim());
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone
      }
    }
    return total;
  }

  /** Where the Glance files live (deleted with the work dir). */
  Path dir() {
    return dir;
  }
}
