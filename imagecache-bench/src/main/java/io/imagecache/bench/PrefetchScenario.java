package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 8: {@code PUT /v2/cache/{id}} of a 1 GiB image from a fast origin offering digests,
 * until it is listed as cached, beside a client's miss of the same image from the same origin in
 * the same round and the same-run limit (see {@link MissLimit}).
 */
final class PrefetchScenario implements Scenario {
  private static final FigureSpec THROUGHPUT =
      new FigureSpec("throughput", "MB/s", "prefetch ≥ 0.95× the miss", true);
  private static final FigureSpec TO_MISS = new FigureSpec("prefetch ÷ miss", "×", "≥ 0.95", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "", false);

  @Override
  public int id() {
    return 8;
  }

  @Override
  public String title() {
    return "Prefetch (PUT /v2/cache/{id}) of a 1 GiB image from a fast origin, beside a miss";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (Nginx originServer = Nginx.start(context, "s8-origin", origin, false, "",
            MissLimit.locations(TestFiles.digests(big)));
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
        List<MissLimit.Offered> order = VerifiedMissScenario.alternating(round);
        List<Double> speeds = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        for (MissLimit.Offered offered : order) {
          // The prefetch and the miss of each origin alternate which goes first, by round.
          double[] prefetch = null;
          double[] miss = null;
          for (int step = 0; step < 2; step++) {
            if ((step == 0) == (round % 2 == 1)) {
              prefetch = prefetch(context, imagecache, origin, big, offered.prefix + "prefetch-r" + round);
            } else {
              miss = miss(context, imagecache, origin, big, offered.prefix + "miss-r" + round);
            }
          }
          String p = VerifiedMissScenario.system("prefetch", offered);
          String m = VerifiedMissScenario.system("miss", offered);
          samples.add(p, THROUGHPUT.name(), prefetch[0] / 1e6);
          samples.add(m, THROUGHPUT.name(), miss[0] / 1e6);
          samples.add(p, TO_MISS.name(), prefetch[0] / miss[0]);
          samples.add(p, CPU.name(), prefetch[1]);
          samples.add(m, CPU.name(), miss[1]);
          speeds.add(prefetch[0]);
          cpus.add(prefetch[1]);
        }

        String id = "plain-r" + round;
        TestFiles.link(origin.resolve(id), big);
        MissLimit limit = MissLimit.measure(context, originServer.url("/" + id), originServer.pid(),
            context.workDir().resolve("s8-saved"), TestFiles.GIB);
        Files.deleteIfExists(origin.resolve(id));
        VerifiedMissScenario.addLimits(samples, THROUGHPUT, limit, "prefetch", order, speeds, cpus);

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
          samples.add("Glance prefetch", THROUGHPUT.name(), TestFiles.GIB / ((System.nanoTime() - g0) / 1e9) / 1e6);
        }
      }
    }
    notes.add("Prefetch throughput = 1 GiB ÷ time from sending the PUT until the server logs `prefetched image {id}`"
        + " (its log read every 20 ms; the image is then checked to be listed as cached), for Glance until"
        + " `GET /v2/cache` lists it (polled every 20 ms);"
        + " miss throughput = curl's transfer of the same image id's twin from the same origin in the same round."
        + " Both run the same fill (single-flight, verified with `verify=strongest`, made durable before the commit);"
        + " the miss also streams the bytes to its client. Glance prefetches from its own file store.");
    notes.add("Same-run limit, ÷ same-run limit, server CPU beyond the verified digest and beyond the CPU of the same"
        + " bytes without a cache: as in scenario 5, here for the prefetch, which sends nothing to a client (so only"
        + " the durable save is subtracted).");
    String setup = "Origin: nginx (`sendfile on`) serving the 1 GiB file, not rate-limited, offering MD5 + SHA-512"
        + " or MD5 alone by the id's prefix. Per round and origin: a prefetch and a miss of new ids (hard links of the"
        + " same bytes; which goes first alternates by round), each after the server's CPU was idle for 300 ms; then a"
        + " plain `curl` download of the same file, a durable save, both digests timed in memory, then Glance's"
        + " prefetch after `DELETE /v2/cache/{id}`.";
    return ScenarioResult.of(id(), title(), setup, VerifiedMissScenario.PLAIN,
        List.of(THROUGHPUT, TO_MISS, VerifiedMissScenario.TO_LIMIT, CPU, VerifiedMissScenario.BEYOND,
            VerifiedMissScenario.PLAIN_CPU, VerifiedMissScenario.OWN), samples, notes);
  }

  /** A prefetch of a new id {@code id}: {bytes per second until listed as cached, server CPU s/GiB}. */
  private static double[] prefetch(BenchContext context, ImagecacheProcess imagecache, Path origin, Path big,
      String id) throws Exception {
    TestFiles.link(origin.resolve(id), big);
    context.cpu().awaitIdle(imagecache.pid(), Duration.ofMillis(300), Duration.ofSeconds(5));
    double cpu0 = context.cpu().treeSeconds(imagecache.pid());
    long t0 = System.nanoTime();
    int status = imagecache.prefetch(id);
    if (status / 100 != 2) {
      throw new IllegalStateException("PUT /v2/cache/" + id + " answered " + status);
    }
    // The queue's own line, watched in the log: polling GET /v2/cache would cost the server CPU
    // in proportion to the prefetch's duration.
    if (!imagecache.awaitLogLine("prefetched image " + id + " ", Duration.ofMinutes(5))) {
      throw new IllegalStateException("imagecache did not prefetch " + id + " within 5 minutes");
    }
    double speed = TestFiles.GIB / ((System.nanoTime() - t0) / 1e9);
    double cpu = context.cpu().treeSeconds(imagecache.pid()) - cpu0;
    if (!imagecache.cachedIds().contains(id)) {
      throw new IllegalStateException("imagecache prefetched " + id + " but does not list it as cached");
    }
    imagecache.delete(id);
    Files.deleteIfExists(origin.resolve(id));
    return new double[] {speed, cpu};
  }

  /** A client's miss of a new id {@code id}: {bytes per second, server CPU s/GiB}. */
  private static double[] miss(BenchContext context, ImagecacheProcess imagecache, Path origin, Path big,
      String id) throws Exception {
    TestFiles.link(origin.resolve(id), big);
    context.cpu().awaitIdle(imagecache.pid(), Duration.ofMillis(300), Duration.ofSeconds(5));
    double cpu0 = context.cpu().treeSeconds(imagecache.pid());
    Curl.Transfer miss = context.curl().get(imagecache.fileUrl(id), 300).expect(TestFiles.GIB, "imagecache miss");
    double cpu = context.cpu().treeSeconds(imagecache.pid()) - cpu0;
    imagecache.delete(id);
    Files.deleteIfExists(origin.resolve(id));
    return new double[] {miss.bytesPerSecond(), cpu};
  }
}
