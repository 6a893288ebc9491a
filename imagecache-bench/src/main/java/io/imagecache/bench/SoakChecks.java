package io.imagecache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The soak's checks of a quiet server: metadata equals disk, no partial files, no image file open that
 * should not be, and the server's own gauges agreeing with its listing. Each check is one line of the report.
 */
final class SoakChecks {
  private static final Set<String> NOT_IMAGES = Set.of("cache.db", "cache.db-wal", "cache.db-shm",
      "cache.db-journal", "imagecache.lock", "admin-token", "checkme",
      "imagecache.probe");
  private static final String ID = "[A-Za-z0-9._-]{1,255}";

  /** One check: what, whether it held, and the figures. */
  record Check(String name, boolean ok, String detail) {}

  private final BenchContext context;
  private final ImagecacheProcess server;
  private final ProcessProbe probe;
  private final SoakImages images;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Check> checks = new ArrayList<>();

  SoakChecks(BenchContext context, ImagecacheProcess server, ProcessProbe probe, SoakImages images) {
    this.context = context;
    this.server = server;
    this.probe = probe;
    this.images = images;
  }

  List<Check> checks() {
    return checks;
  }

  void add(String name, boolean ok, String detail) {
    checks.add(new Check(name, ok, detail));
  }

  /**
   * Polls {@code GET /v2/cache/status} every 100 ms until no fill runs and no prefetch is pending twice in a
   * row; records the check and returns whether the server became quiet within {@code timeout}.
   */
  boolean awaitQuiet(String when, Duration timeout) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int quietInARow = 0;
    String last = "";
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/v2/cache/status");
      int fills = status.path("fills").size();
      long pending = 0;
      for (JsonNode p : status.path("prefetch")) {
        String state = p.path("state").asText();
        if (!state.equals("failed")) {
          pending++;
        }
      }
      last = fills + " fills, " + pending + " prefetches pending";
      quietInARow = fills == 0 && pending == 0 ? quietInARow + 1 : 0;
      if (quietInARow >= 2) {
        add("quiet " + when, true, String.format("after %.1f s", (System.nanoTime() - start) / 1e9));
        return true;
      }
      Thread.sleep(100);
    }
    add("quiet " + when, false, "still " + last + " after " + timeout.toSeconds() + " s");
    return false;
  }

  /** Metadata = disk, sizes and checksums right, gauges = listing, incomplete/ empty, no leaked open file. */
  void checkConsistent() throws IOException, InterruptedException {
    Map<String, JsonNode> listed = new TreeMap<>();
    for (JsonNode entry : get("/v2/cache").path("cached_images")) {
      listed.put(entry.path("image_id").asText(), entry);
    }
    Map<String, Long> onDisk = imageFiles();
    Set<String> onlyListed = new TreeSet<>(listed.keySet());
    onlyListed.removeAll(onDisk.keySet());
    Set<String> onlyOnDisk = new TreeSet<>(onDisk.keySet());
    onlyOnDisk.removeAll(listed.keySet());
    add("metadata = disk", onlyListed.isEmpty() && onlyOnDisk.isEmpty(), listed.size() + " listed, "
        + onDisk.size() + " image files" + (onlyListed.isEmpty() ? "" : "; listed without a file: " + onlyListed)
        + (onlyOnDisk.isEmpty() ? "" : "; files missing from the listing: " + onlyOnDisk));

    List<String> wrong = new ArrayList<>();
    long listedBytes = 0;
    for (Map.Entry<String, JsonNode> e : listed.entrySet()) {
      SoakImages.Image image = images.get(e.getKey());
      long size = e.getValue().path("size").asLong();
      listedBytes += size;
      JsonNode checksum = e.getValue().path("checksum");
      if (image == null || size != image.size() || (onDisk.containsKey(e.getKey()) && onDisk.get(e.getKey()) != size)
          || (!checksum.isNull() && !checksum.asText().equals(image.md5Hex()))) {
        wrong.add(e.getKey());
      }
    }
    add("listed sizes and checksums = origin's", wrong.isEmpty(), wrong.isEmpty() ? listed.size() + " images"
        : "wrong: " + wrong);

    Map<String, Double> metrics = metrics();
    double gaugeImages = metrics.getOrDefault("imagecache_cache_images", -1.0);
    double gaugeBytes = metrics.getOrDefault("imagecache_cache_size_bytes", -1.0);
    add("size gauges = listing", gaugeImages == listed.size() && gaugeBytes == listedBytes,
        String.format("gauges %.0f images, %.0f B; listing %d images, %d B", gaugeImages, gaugeBytes, listed.size(),
            listedBytes));

    List<String> partial = names(server.cacheDir().resolve("incomplete"));
    add("incomplete/ empty", partial.isEmpty(), partial.isEmpty() ? "" : partial.toString());

    OpenFiles open = openFiles(listed.keySet());
    add("no leaked open file", open.leaked().isEmpty(), open.held() + " committed images held open (hit file cache)"
        + (open.leaked().isEmpty() ? "" : "; leaked: " + open.leaked()));
  }

  /** After a clear: nothing listed, no image file, no image file open. */
  void checkEmpty() throws IOException, InterruptedException {
    int listed = get("/v2/cache").path("cached_images").size();
    Map<String, Long> onDisk = imageFiles();
    add("after DELETE /v2/cache: nothing listed or on disk", listed == 0 && onDisk.isEmpty(),
        listed + " listed, " + onDisk.size() + " image files " + onDisk.keySet());
    OpenFiles open = openFiles(Set.of());
    add("after DELETE /v2/cache: no image file open", open.leaked().isEmpty() && open.held() == 0,
        open.leaked().isEmpty() ? "" : "open: " + open.leaked());
  }

  /** Files open in the cache directory: held committed images vs everything else that should not be open. */
  private record OpenFiles(int held, List<String> leaked) {}

  private OpenFiles openFiles(Set<String> listed) throws IOException {
    String prefix = server.cacheDir().toRealPath() + "/";
    int held = 0;
    List<String> leaked = new ArrayList<>();
    for (String target : probe.fdTargets()) {
      if (!target.startsWith(prefix)) {
        continue;
      }
      String rel = target.substring(prefix.length());
      if (NOT_IMAGES.contains(rel)) {
        continue;
      }
      if (!rel.contains("/") && listed.contains(rel)) {
        held++;
      } else {
        leaked.add(rel);
      }
    }
    return new OpenFiles(held, leaked);
  }

  /** The valid image files at the top of the cache directory, with their sizes (links and dirs are not). */
  private Map<String, Long> imageFiles() throws IOException {
    Map<String, Long> files = new HashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(server.cacheDir())) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && name.matches(ID) && !NOT_IMAGES.contains(name)
            && !name.equals(".") && !name.equals("..")) {
          files.put(name, Files.size(p));
        }
      }
    }
    return files;
  }

  private static List<String> names(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpCalls.Reply reply = context.http().send("GET", server.url(path), ImagecacheProcess.TOKEN, null);
    if (reply.status() != 200) {
      throw new IOException("GET " + path + " answered " + reply.status() + ": " + reply.body());
    }
    return json.readTree(reply.body());
  }

  /** The unlabelled samples of {@code /metrics}. */
  private Map<String, Double> metrics() throws IOException, InterruptedException {
    HttpCalls.Reply reply = context.http().send("GET", server.url("/metrics"), null, null);
    Map<String, Double> values = new HashMap<>();
    for (String line : reply.body().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && !line.startsWith("#") && !parts[0].contains("{")) {
        values.put(parts[0], Double.parseDouble(parts[1]));
      }
    }
    return values;
  }
}
