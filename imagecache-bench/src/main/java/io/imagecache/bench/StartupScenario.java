package io.imagecache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scenario 7: time from starting {@code imagecache serve} on 100 000 cached entries to the first hit. */
final class StartupScenario implements Scenario {
  private static final int ENTRIES = 100_000;
  private static final FigureSpec RESTART = new FigureSpec("start until first hit", "s", "≤ 2 s", false);
  private static final FigureSpec FIRST = new FigureSpec("first start (adopting the files)", "s", "", false);

  @Override
  public int id() {
    return 7;
  }

  @Override
  public String title() {
    return "Start-up with 100 000 cached entries: time until the first hit is served";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    for (String driver : List.of("sqlite", "xattr")) {
      Path dir = Files.createDirectories(context.workDir().resolve("startup-" + driver));
      Path cache = Files.createDirectories(dir.resolve("cache"));
      byte[] body = new byte[4096];
      for (int i = 0; i < ENTRIES; i++) {
        Files.write(cache.resolve(String.format("entry-%06d", i)), body);
      }
      String system = "imagecache (" + driver + ")";
      String origin = context.originDir().toString();
      List<String> args = List.of("--driver", driver);
      try {
        samples.add(system, FIRST.name(), startToHit(context, dir, origin, args, "entry-000000"));
        for (int round = 1; round <= context.options().rounds(); round++) {
          String id = String.format("entry-%06d", round * 7919 % ENTRIES);
          samples.add(system, RESTART.name(), startToHit(context, dir, origin, args, id));
        }
      } finally {
        BenchContext.deleteTree(dir);
      }
    }
    notes.add("Postgres driver not measured here: it needs a PostgreSQL server (--db-url); the runner starts"
        + " none.");
    notes.add("Entries: " + ENTRIES + " files of 4 KiB written into the cache directory before the first start"
        + " (Glance's layout); the first start adopts them into the driver's metadata, each later round restarts"
        + " the server on the now-indexed cache. Time = from starting the JVM until `GET` of a cached entry"
        + " answered 200 with the full body (health polled every 20 ms).");
    return ScenarioResult.of(id(), title(), "One `imagecache serve` per driver on a cache directory with "
        + ENTRIES + " entries.", "imagecache (sqlite)", List.of(RESTART, FIRST), samples, notes);
  }

  private static double startToHit(BenchContext context, Path dir, String origin, List<String> args, String id)
      throws Exception {
    long t0 = System.nanoTime();
    ImagecacheServer server = ImagecacheServer.startIn(context, dir, origin, args);
    try {
      context.curl().get(server.fileUrl(id), 60).expect(4096, "first hit");
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (!server.cachedIds().contains(id)) {
        throw new IllegalStateException(id + " was served but is not listed as cached (a miss, not a hit)");
      }
      return seconds;
    } finally {
      server.stop();
    }
  }
}
