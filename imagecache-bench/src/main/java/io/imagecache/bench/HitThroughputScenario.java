package io.imagecache.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Scenario 1: one client (curl) downloads one cached 1 GiB image; throughput and server CPU per GiB. */
final class HitThroughputScenario implements Scenario {
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final FigureSpec THROUGHPUT = new FigureSpec("hit throughput", "MB/s", "≥ 1.0× nginx", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "≤ nginx", false);

  @Override
  public int id() {
    return 1;
  }

  @Override
  public String title() {
    return "Hit, one 1 GiB image, one client (curl)";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Path big = context.image("hit-1g", TestFiles.GIB);
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (Nginx nginx = Nginx.start(context, "s1", origin, false, "", "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s1", origin.toString(), List.of())) {
      List<Target> targets = new ArrayList<>();
      targets.add(new Target("imagecache", imagecache.pid(), imagecache.fileUrl("hit-1g")));
      targets.add(new Target("nginx", nginx.pid(), nginx.url("/hit-1g")));
      Optional<GlanceHost> glance = context.glance();
      if (glance.isPresent()) {
        String id = glance.get().image(big);
        context.curl().get(glance.get().fileUrl(id), 300).expect(TestFiles.GIB, "glance fill");
        if (!glance.get().awaitCached(id, Duration.ofSeconds(60))) {
          throw new IllegalStateException("Glance did not cache " + id);
        }
        targets.add(new Target("Glance (cached)", glance.get().pid(), glance.get().fileUrl(id)));
      } else {
        notes.add(context.glanceNote());
      }
      for (Target target : targets) { // first GET fills imagecache; one more warms each server
        context.curl().get(target.url(), 300).expect(TestFiles.GIB, target.system() + " warm-up");
      }
      context.curl().get(targets.get(0).url(), 300).expect(TestFiles.GIB, "imagecache warm-up");
      for (int round = 0; round < context.options().rounds(); round++) {
        for (Target target : targets) {
          if (!context.cpu().awaitIdle(target.pid(), QUIET, Duration.ofSeconds(10))) {
            notes.add("round " + (round + 1) + ": " + target.system() + " was still busy after 10 s; measured anyway");
          }
          double cpu0 = context.cpu().treeSeconds(target.pid());
          Curl.Transfer t = context.curl().get(target.url(), 300).expect(TestFiles.GIB, target.system());
          double cpu1 = context.cpu().treeSeconds(target.pid());
          samples.add(target.system(), THROUGHPUT.name(), t.bytesPerSecond() / 1e6);
          samples.add(target.system(), CPU.name(), (cpu1 - cpu0) / ((double) t.bytes() / TestFiles.GIB));
        }
      }
    }
    String setup = "One 1 GiB file of pseudo-random bytes. imagecache (directory origin, image already cached and"
        + " warm) against nginx (`sendfile on`, 2 workers) serving the same bytes, and Glance's cached download"
        + " (cache middleware). One `curl -o /dev/null` download per system per round, in turn. Before each"
        + " download the runner waits until the server's CPU time has not moved for 0.5 s, so that a JVM still"
        + " compiling what the warm-up ran is not charged to the download.";
    return ScenarioResult.of(id(), title(), setup, "nginx", List.of(THROUGHPUT, CPU), samples, notes);
  }

  /** One compared system: its name, the PID whose tree is charged for CPU, and the URL to fetch. */
  private record Target(String system, long pid, String url) {}
}
