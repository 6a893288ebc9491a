package io.imagecache.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scenario 3: a cached 64 KiB image fetched over 64 keep-alive connections for 10 s (wrk). */
final class SmallFileRateScenario implements Scenario {
  private static final FigureSpec RATE = new FigureSpec("requests/s", "req/s", "≥ 1.0× nginx", true);
  private static final int SECONDS = 10;

  @Override
  public int id() {
    return 3;
  }

  @Override
  public String title() {
    return "Hits, a 64 KiB image, 64 keep-alive connections, 10 s (wrk)";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    context.image("small-64k", 64 * 1024);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (Nginx nginx = Nginx.start(context, "s3", origin, false, "", "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s3", origin.toString(), List.of())) {
      String cacheUrl = imagecache.fileUrl("small-64k");
      String nginxUrl = nginx.url("/small-64k");
      context.curl().get(cacheUrl, 30).expect(64 * 1024, "imagecache fill");
      context.wrk().run(cacheUrl, 64, 3);
      context.wrk().run(nginxUrl, 64, 3);
      for (int round = 0; round < context.options().rounds(); round++) {
        Wrk.Result a = context.wrk().run(cacheUrl, 64, SECONDS);
        Wrk.Result b = context.wrk().run(nginxUrl, 64, SECONDS);
        samples.add("imagecache", RATE.name(), a.requestsPerSecond());
        samples.add("nginx", RATE.name(), b.requestsPerSecond());
        if (!a.errors().isEmpty()) {
          notes.add("round " + (round + 1) + " imagecache: " + a.errors());
        }
        if (!b.errors().isEmpty()) {
          notes.add("round " + (round + 1) + " nginx: " + b.errors());
        }
      }
    }
    notes.add("Glance is not part of this comparison (the issue compares imagecache with nginx only).");
    String setup = "`wrk -t2 -c64 -d10s` on a cached 64 KiB image (imagecache) and the same file from nginx"
        + " (`sendfile on`, 2 workers); 3 s warm-up each, then alternating 10 s runs.";
    return ScenarioResult.of(id(), title(), setup, "nginx", List.of(RATE), samples, notes);
  }
}
