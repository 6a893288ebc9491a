package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Scenario 8: {@code PUT /v2/cache/{id}} of a 1 GiB image from a fast origin, until it is listed as cached. */
final class PrefetchScenario implements Scenario {
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("prefetch throughput", "MB/s", "≥ 0.9× plain download", true);

  @Override
  public int id() {
    return 8;
  }

  @Override
  public String title() {
    return "Prefetch (PUT /v2/cache/{id}) of a 1 GiB image from a fast origin";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    String plain = "plain download from the origin (curl)";
    try (Nginx originServer = Nginx.start(context, "s8-origin", origin, false, "", "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s8", originServer.url("/{id}"), List.of())) {
      Optional<GlanceHost> glance = context.glance();
      Optional<String> glanceId = Optional.empty();
      if (glance.isPresent()) {
        glanceId = Optional.of(glance.get().image(big));
      } else {
        notes.add(context.glanceNote());
      }
      context.curl().get(originServer.url("/hit-1g"), 300).expect(TestFiles.GIB, "origin warm-up");
      for (int round = 1; round <= context.options().rounds(); round++) {
        String id = "prefetch-r" + round;
        TestFiles.link(origin.resolve(id), big);
        long t0 = System.nanoTime();
        int status = imagecache.prefetch(id);
        if (status / 100 != 2) {
          throw new IllegalStateException("PUT /v2/cache/" + id + " answered " + status);
        }
        if (!imagecache.awaitCached(id, Duration.ofMinutes(5))) {
          throw new IllegalStateException("imagecache did not cache " + id + " within 5 minutes");
        }
        samples.add("imagecache", THROUGHPUT.name(), TestFiles.GIB / ((System.nanoTime() - t0) / 1e9) / 1e6);
        imagecache.delete(id);

        Curl.Transfer t = context.curl().get(originServer.url("/" + id), 300).expect(TestFiles.GIB, plain);
        samples.add(plain, THROUGHPUT.name(), t.bytesPerSecond() / 1e6);
        Path saved = context.workDir().resolve("s8-saved");
        samples.add(VerifiedMissScenario.SAVED, THROUGHPUT.name(),
            context.curl().saveDurably(originServer.url("/" + id), saved, TestFiles.GIB, 300) / 1e6);
        Files.deleteIfExists(saved);
        Files.deleteIfExists(origin.resolve(id));

        if (glance.isPresent()) {
          GlanceHost g = glance.get();
          g.uncache(glanceId.get());
          long g0 = System.nanoTime();
          int gs = g.prefetch(glanceId.get());
          if (gs / 100 != 2) {
            throw new IllegalStateException("Glance PUT /v2/cache answered " + gs);
          }
          if (!g.awaitCached(glanceId.get(), Duration.ofMinutes(5))) {
            throw new IllegalStateException("Glance did not cache the image within 5 minutes");
          }
          samples.add("Glance", THROUGHPUT.name(), TestFiles.GIB / ((System.nanoTime() - g0) / 1e9) / 1e6);
        }
      }
    }
    notes.add("Throughput = 1 GiB ÷ time from sending the PUT until `GET /v2/cache` lists the image under"
        + " cached_images (polled every 10 ms for imagecache, 20 ms for Glance). Glance prefetches from its own"
        + " file store, imagecache from nginx over loopback HTTP. The origin sends no digest here: imagecache computes"
        + " MD5 (Glance's checksum) while it writes. \"" + VerifiedMissScenario.SAVED + "\" writes the same bytes"
        + " to a file on the cache's filesystem and makes them durable, as a fill does before it commits.");
    String setup = "Origin: nginx (`sendfile on`) serving the 1 GiB file, not rate-limited. Per round: imagecache"
        + " prefetch of a new id (a hard link of the same bytes), then a plain `curl` download of the same file"
        + " from the origin, then Glance's prefetch after `DELETE /v2/cache/{id}`.";
    return ScenarioResult.of(id(), title(), setup, plain, List.of(THROUGHPUT), samples, notes);
  }
}
