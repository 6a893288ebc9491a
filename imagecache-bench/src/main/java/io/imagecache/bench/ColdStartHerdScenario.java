package io.imagecache.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 4: 50 concurrent clients ask for one uncached 1 GiB image behind a rate-limited origin
 * (nginx, {@code limit_rate}); origin fetches, time to first byte, and wall time against one client.
 */
final class ColdStartHerdScenario implements Scenario {
  static final int CLIENTS = 50;
  static final String RATE = "50m";
  private static final long MAX_SECONDS = 400;
  private static final FigureSpec FETCHES = new FigureSpec("origin fetches", "count", "1", false);
  private static final FigureSpec MAX_TTFB = new FigureSpec("max time to first byte", "s", "< 1 s", false);
  private static final FigureSpec MEDIAN_TTFB = new FigureSpec("median time to first byte", "s", "< 1 s", false);
  private static final FigureSpec WALL = new FigureSpec("wall ÷ single client alone", "×", "≤ 1.1", false);
  private static final FigureSpec SINGLE = new FigureSpec("single client alone, wall", "s", "", false);
  private static final FigureSpec DELIVERED =
      new FigureSpec("bytes delivered ÷ wall, all clients", "MB/s", "", true);

  @Override
  public int id() {
    return 4;
  }

  @Override
  public String title() {
    return "Cold start: 50 concurrent clients on one uncached 1 GiB image, rate-limited origin";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    String limited = "    location /limited/ { alias " + origin + "/; limit_rate " + RATE + "; }\n";
    try (Nginx originServer = Nginx.start(context, "s4-origin", origin, true, "", limited);
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s4",
            originServer.url("/limited/{id}"), List.of())) {
      Optional<GlanceHost> glance = context.glance();
      Optional<String> glanceId = Optional.empty();
      if (glance.isPresent()) {
        glanceId = Optional.of(glance.get().image(big));
      } else {
        notes.add(context.glanceNote());
      }
      for (int round = 1; round <= context.options().herdRounds(); round++) {
        String singleId = "herd-single-r" + round;
        TestFiles.link(origin.resolve(singleId), big);
        long t0 = System.nanoTime();
        context.curl().get(imagecache.fileUrl(singleId), MAX_SECONDS).expect(TestFiles.GIB, "single client");
        double single = (System.nanoTime() - t0) / 1e9;
        imagecache.delete(singleId);
        samples.add("imagecache", SINGLE.name(), single);

        String icId = "herd-ic-r" + round;
        TestFiles.link(origin.resolve(icId), big);
        herd(context, samples, notes, "imagecache", imagecache.fileUrl(icId), single, round,
            () -> originServer.requestsContaining("GET /limited/" + icId + " "));
        imagecache.delete(icId);

        for (boolean tuned : new boolean[] {false, true}) {
          String system = tuned ? "nginx proxy_cache_lock (tuned 1h/1h)" : "nginx proxy_cache_lock (default 5s/5s)";
          String ngId = (tuned ? "herd-ngt-r" : "herd-ngd-r") + round;
          TestFiles.link(origin.resolve(ngId), big);
          String http = "  proxy_cache_path " + context.workDir().resolve("nginx-s4-cache/pc")
              + " levels=1:2 keys_zone=herd:10m max_size=50g inactive=1d use_temp_path=off;\n";
          String location = "    location /limited/ {\n      proxy_pass " + originServer.url("") + ";\n"
              + "      proxy_buffering on;\n      proxy_cache herd;\n      proxy_cache_valid 200 1h;\n"
              + "      proxy_cache_lock on;\n"
              + (tuned ? "      proxy_cache_lock_timeout 1h;\n      proxy_cache_lock_age 1h;\n" : "")
              + "    }\n";
          try (Nginx cache = Nginx.start(context, "s4-cache", origin, false, http, location)) {
            herd(context, samples, notes, system, cache.url("/limited/" + ngId), single, round,
                () -> originServer.requestsContaining("GET /limited/" + ngId + " "));
          }
        }
        if (glance.isPresent()) {
          GlanceHost g = glance.get();
          g.uncache(glanceId.get());
          long read0 = g.bytesRead();
          herd(context, samples, notes, "Glance", g.fileUrl(glanceId.get()), single, round,
              () -> Math.round((g.bytesRead() - read0) / (double) TestFiles.GIB));
        }
        for (String id : List.of(singleId, icId, "herd-ngd-r" + round, "herd-ngt-r" + round)) {
          java.nio.file.Files.deleteIfExists(origin.resolve(id));
        }
      }
    }
    notes.add("Origin: nginx serving the file with `limit_rate " + RATE + "` per connection; origin fetches ="
        + " the origin's access-log lines for the image's URL. For Glance the \"origin\" is its own file store"
        + " (not rate-limited): its figure is the bytes Glance's processes read (`/proc/PID/io` rchar) ÷ 1 GiB,"
        + " which also counts reads of its cache file, so it is an upper bound.");
    notes.add("Every run uses a new image id (a hard link of the same bytes), so every run starts cold; the"
        + " nginx proxy cache is started empty for each run. Clients are separate `curl` processes started"
        + " back to back; wall time runs from the first start to the last finish.");
    notes.add("Keeping every client at the origin's pace means delivering " + CLIENTS + " × the origin rate over"
        + " loopback to " + CLIENTS + " curl processes on the same 2 cores; \"bytes delivered ÷ wall\" shows how close"
        + " each run came to that, next to what this machine delivers from a cached file (scenario 6).");
    String setup = CLIENTS + " concurrent `curl` clients on one uncached 1 GiB image, origin rate-limited to "
        + RATE + "/s per connection; the single-client baseline is one client alone through imagecache"
        + " in the same round. Reference for ratios: nginx `proxy_cache` with `proxy_cache_lock` tuned.";
    return ScenarioResult.of(id(), title(), setup, "nginx proxy_cache_lock (tuned 1h/1h)",
        List.of(FETCHES, MAX_TTFB, MEDIAN_TTFB, WALL, SINGLE, DELIVERED), samples, notes);
  }

  /** A count read after the herd finished. */
  private interface Counter {
    long count() throws Exception;
  }

  private static void herd(BenchContext context, Samples samples, List<String> notes, String system, String url,
      double single, int round, Counter fetches) throws Exception {
    long t0 = System.nanoTime();
    List<Curl.Transfer> transfers = context.curl().herd(url, CLIENTS, MAX_SECONDS,
        context.workDir().resolve("herd-out"));
    double wall = (System.nanoTime() - t0) / 1e9;
    long bad = transfers.stream().filter(t -> t.status() != 200 || t.bytes() != TestFiles.GIB).count();
    if (bad > 0) {
      notes.add("round " + round + ", " + system + ": " + bad + " of " + CLIENTS
          + " clients did not get HTTP 200 with the full 1 GiB");
    }
    List<Double> ttfb = transfers.stream().filter(t -> t.status() == 200).map(Curl.Transfer::ttfbSeconds).toList();
    samples.add(system, FETCHES.name(), fetches.count());
    if (!ttfb.isEmpty()) {
      samples.add(system, MAX_TTFB.name(), Stats.of(ttfb).max());
      samples.add(system, MEDIAN_TTFB.name(), Stats.of(ttfb).median());
    }
    samples.add(system, WALL.name(), wall / single);
    samples.add(system, DELIVERED.name(), transfers.stream().mapToLong(Curl.Transfer::bytes).sum() / wall / 1e6);
    BenchmarkRunner.log(String.format("  round %d %s: wall %.1f s (single %.1f s), bad %d", round, system, wall,
        single, bad));
  }
}
