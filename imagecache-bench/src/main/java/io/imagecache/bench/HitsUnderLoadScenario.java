package io.imagecache.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Scenario 2: 16 concurrent clients over 4 cached 256 MiB images for a fixed time (default 30 s). */
final class HitsUnderLoadScenario implements Scenario {
  private static final int CLIENTS = 16;
  private static final int IMAGES = 4;
  private static final long SIZE = 256 * TestFiles.MIB;
  private static final FigureSpec THROUGHPUT = new FigureSpec("aggregate throughput", "MB/s", "next to nginx", true);
  private static final FigureSpec CPU = new FigureSpec("server CPU", "s/GiB", "next to nginx", false);
  private static final FigureSpec P99 = new FigureSpec("p99 time to first byte", "ms", "next to nginx", false);

  @Override
  public int id() {
    return 2;
  }

  @Override
  public String title() {
    return "Hits under load: 16 concurrent clients over 4 cached 256 MiB images";
  }

  @Override
  public ScenarioResult run(BenchContext context) throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      files.add(context.image("load-" + i, SIZE));
    }
    Path origin = context.originDir();
    Samples samples = new Samples();
    List<String> notes = new ArrayList<>();
    int seconds = context.options().loadSeconds();
    try (Nginx nginx = Nginx.start(context, "s2", origin, false, "", "");
        ImagecacheProcess imagecache = ImagecacheProcess.start(context, "s2", origin.toString(), List.of())) {
      List<Target> targets = new ArrayList<>();
      List<String> icUrls = new ArrayList<>();
      List<String> ngUrls = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        icUrls.add(imagecache.fileUrl("load-" + i));
        ngUrls.add(nginx.url("/load-" + i));
      }
      targets.add(new Target("imagecache", imagecache.pid(), icUrls));
      targets.add(new Target("nginx", nginx.pid(), ngUrls));
      Optional<GlanceHost> glance = context.glance();
      if (glance.isPresent()) {
        List<String> gUrls = new ArrayList<>();
        for (Path file : files) {
          String id = glance.get().image(file);
          context.curl().get(glance.get().fileUrl(id), 120).expect(SIZE, "glance fill");
          if (!glance.get().awaitCached(id, Duration.ofSeconds(60))) {
            throw new IllegalStateException("Glance did not cache " + id);
          }
          gUrls.add(glance.get().fileUrl(id));
        }
        targets.add(new Target("Glance (cached)", glance.get().pid(), gUrls));
      } else {
        notes.add(context.glanceNote());
      }
      for (Target target : targets) {
        for (String url : target.urls()) {
          context.curl().get(url, 120).expect(SIZE, target.system() + " warm-up");
        }
      }
      for (int round = 1; round <= context.options().rounds(); round++) {
        for (Target target : targets) {
          double cpu0 = context.cpu().treeSeconds(target.pid());
          Load load = load(target.urls(), seconds);
          double cpu1 = context.cpu().treeSeconds(target.pid());
          if (load.errors() > 0) {
            notes.add("round " + round + ", " + target.system() + ": " + load.errors() + " failed requests");
          }
          samples.add(target.system(), THROUGHPUT.name(), load.bytes() / load.seconds() / 1e6);
          samples.add(target.system(), CPU.name(), (cpu1 - cpu0) / ((double) load.bytes() / TestFiles.GIB));
          if (!load.ttfbMillis().isEmpty()) {
            samples.add(target.system(), P99.name(), Stats.quantile(load.ttfbMillis(), 0.99));
          }
        }
      }
    }
    notes.add("Clients: " + CLIENTS + " threads of the runner's JDK HttpClient (HTTP/1.1, keep-alive,"
        + " `jdk.httpclient.bufsize=262144`), each fetching the images in turn and discarding the body; time"
        + " to first byte = until the response headers arrived. Requests still running at the end finish and"
        + " count; throughput = bytes ÷ time until the last one finished.");
    String setup = CLIENTS + " concurrent clients over " + IMAGES + " cached 256 MiB images for " + seconds
        + " s per system per round, in turn: imagecache, nginx (`sendfile on`, 2 workers), Glance (cached).";
    return ScenarioResult.of(id(), title(), setup, "nginx", List.of(THROUGHPUT, CPU, P99), samples, notes);
  }

  /** What one load run did. */
  private record Load(long bytes, double seconds, List<Double> ttfbMillis, long errors) {}

  private static Load load(List<String> urls, int seconds) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    AtomicLong bytes = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Double> ttfb = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long start = System.nanoTime();
    long deadline = start + seconds * 1_000_000_000L;
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int first = c;
        clients.add(pool.submit(() -> {
          byte[] buffer = new byte[256 * 1024];
          for (int i = first; System.nanoTime() < deadline; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(urls.get(i % urls.size())))
                .timeout(Duration.ofSeconds(120)).build();
            long t0 = System.nanoTime();
            try {
              HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
              ttfb.add((System.nanoTime() - t0) / 1e6);
              try (InputStream in = response.body()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                  bytes.addAndGet(n);
                }
              }
              if (response.statusCode() != 200) {
                errors.incrementAndGet();
              }
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : clients) {
        f.get(seconds + 180L, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Load(bytes.get(), elapsed, new ArrayList<>(ttfb), errors.get());
  }

  /** One compared system: name, PID charged for CPU, image URLs. */
  private record Target(String system, long pid, List<String> urls) {}
}
