package io.imagecache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Scenario 6: peak RSS of the imagecache process while 100 clients download a cached 1 GiB image. */
final class MemoryScenario implements Scenario {
  private static final int CLIENTS = 100;
  private static final FigureSpec PEAK = new FigureSpec("peak RSS", "MiB", "≤ 256 MiB", false);
  private static final FigureSpec BEFORE = new FigureSpec("RSS before the load", "MiB", "", false);

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
    try (ImagecacheServer imagecache = ImagecacheServer.start(context, "s6", context.originDir().toString(),
        List.of())) {
      String url = imagecache.fileUrl("hit-1g");
      context.curl().get(url, 300).expect(TestFiles.GIB, "fill");
      for (int round = 1; round <= context.options().herdRounds(); round++) {
        long before = CpuTime.treeRssBytes(imagecache.pid());
        AtomicLong peak = new AtomicLong(before);
        ExecutorService sampler = Executors.newSingleThreadExecutor();
        Future<?> sampling = sampler.submit(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            peak.accumulateAndGet(CpuTime.treeRssBytes(imagecache.pid()), Math::max);
            try {
              Thread.sleep(50);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        List<Curl.Transfer> transfers;
        try {
          transfers = context.curl().herd(url, CLIENTS, 900, context.workDir().resolve("memory-out"));
        } finally {
          sampling.cancel(true);
          sampler.shutdownNow();
          sampler.awaitTermination(5, TimeUnit.SECONDS);
        }
        long bad = transfers.stream().filter(t -> t.status() != 200 || t.bytes() != TestFiles.GIB).count();
        if (bad > 0) {
          notes.add("round " + round + ": " + bad + " of " + CLIENTS + " downloads incomplete");
        }
        samples.add("imagecache", PEAK.name(), peak.get() / (double) TestFiles.MIB);
        samples.add("imagecache", BEFORE.name(), before / (double) TestFiles.MIB);
      }
    }
    notes.add("RSS = VmRSS of the server's process tree from `/proc/PID/status`, sampled every 50 ms during "
        + CLIENTS + " concurrent `curl` downloads of the cached 1 GiB image; the JVM runs with its default heap"
        + " settings (no -Xmx), as `imagecache serve` ships.");
    String setup = CLIENTS + " concurrent clients on one cached 1 GiB image (100 GiB served per round).";
    return ScenarioResult.of(id(), title(), setup, "imagecache", List.of(PEAK, BEFORE), samples, notes);
  }
}
