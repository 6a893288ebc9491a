package io.imagecache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Scenario 6: peak RSS of the imagecache process while 100 clients download a cached 1 GiB image. */
final class MemoryScenario implements Scenario {
  private static final int CLIENTS = 100;
  private static final FigureSpec PEAK = new FigureSpec("peak RSS", "MiB", "≤ 256 MiB", false);
  private static final FigureSpec BEFORE = new FigureSpec("RSS before the load", "MiB", "", false);
  private static final FigureSpec AFTER_FILL =
      new FigureSpec("peak RSS from start-up through the fill", "MiB", "", false);
  /** Bound of each download: a round ends after this even if clients are still reading. */
  private static final long MAX_SECONDS = 150;

  @Override
  public int id() {
    return 6;
  }

  @Override
  public String title() {
    return "Memory: peak RSS while serving 100 concurrent 1 GiB downloads";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    context.image("hit-1g", TestFiles.GIB);
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    try (ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s6", context.originDir().toString(),
        List.of())) {
      String url = imagecache.fileUrl("hit-1g");
      context.curl().get(url, 300).expect(TestFiles.GIB, "fill");
      long pid = imagecache.pid();
      samples.add("imagecache", AFTER_FILL.name(), PeakRss.bytes(pid).orElseThrow() / (double) TestFiles.MIB);
      for (int round = 1; round <= context.options().herdRounds(); round++) {
        if (!PeakRss.reset(pid)) {
          throw new IllegalStateException("cannot reset VmHWM through /proc/" + pid + "/clear_refs");
        }
        long before = PeakRss.currentBytes(pid).orElseThrow();
        long start = System.nanoTime();
        List<Curl.Transfer> transfers =
            context.curl().herd(url, CLIENTS, MAX_SECONDS, context.workDir().resolve("memory-out"));
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = PeakRss.bytes(pid).orElseThrow(() -> new IllegalStateException("imagecache exited"));
        long complete = transfers.stream().filter(t -> t.status() == 200 && t.bytes() == TestFiles.GIB).count();
        long served = transfers.stream().mapToLong(Curl.Transfer::bytes).sum();
        notes.add(String.format(Locale.ROOT, "round %d: %d of %d downloads complete in %.0f s, %.1f GiB served"
            + " (%.0f MB/s aggregate)", round, complete, CLIENTS, seconds, served / (double) TestFiles.GIB,
            served / seconds / 1e6));
        samples.add("imagecache", PEAK.name(), peak / (double) TestFiles.MIB);
        samples.add("imagecache", BEFORE.name(), before / (double) TestFiles.MIB);
      }
    }
    notes.add("Peak RSS = VmHWM of the server JVM from `/proc/PID/status` after the round; before each round the"
        + " peak is reset to the current RSS (`echo 5 > /proc/PID/clear_refs`), so it is the peak while serving"
        + " " + CLIENTS + " concurrent `curl` downloads of the cached 1 GiB image (each bounded to " + MAX_SECONDS
        + " s; an unfinished download still loaded the server for the whole round). The JVM runs with the"
        + " launcher's memory limits (-Xmx64m, -XX:MaxDirectMemorySize=64m, serial GC), as `imagecache serve`"
        + " ships; the peak \"from start-up through the fill\""
        + " is VmHWM after the miss that cached the image.");
    String setup = CLIENTS + " concurrent clients on one cached 1 GiB image (up to 100 GiB served per round).";
    return ScenarioResult.of(id(), title(), setup, "imagecache", List.of(PEAK, BEFORE, AFTER_FILL), samples,
        notes);
  }
}
