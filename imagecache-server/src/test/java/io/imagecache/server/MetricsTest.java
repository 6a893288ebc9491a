package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics}: Prometheus text without a token, every name {@code imagecache_…} or one
 * of Micrometer's JVM, process and Netty families, image requests counted by result (401 and 403
 * as denied) with their time to first byte and body bytes by source, fill durations, the build,
 * the cache's own figures, and text that {@code promtool check metrics} accepts.
 */
class MetricsTest {
  private static final int SIZE = 64 * TestImages.KiB;
  private static final int TOO_LARGE = 200 * TestImages.KiB;
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @TempDir
  Path dir;
  private TestOrigin origin;
  private ServerHarness server;
  private AdminApi api;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    origin.put("img", TestImages.bytes(1, SIZE));
    origin.put("large", TestImages.bytes(2, TOO_LARGE));
    server = ServerHarness.start(
        ServerHarness.config(dir.resolve("cache")).maxSize(128 * TestImages.KiB).build(),
        Optional.of(origin.glanceSpec()));
    api = new AdminApi(server);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    origin.close();
  }

  @Test
  void metricsNeedNoTokenAndAreThePrometheusTextFormat() throws Exception {
    HttpResponse<byte[]> metrics = server.get("/metrics");
    HttpResponse<String> post = api.send(Optional.empty(), "POST", "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(new String(metrics.body(), StandardCharsets.UTF_8))
        .contains("# TYPE imagecache_requests_total counter");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void openMetricsIsAnsweredWhenTheScrapeAsksForIt() throws Exception {
    traffic();

    HttpResponse<byte[]> metrics = server.get("/metrics", "Accept",
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
    String text = new String(metrics.body(), StandardCharsets.UTF_8);
    assertThat(text).contains("# TYPE imagecache_requests counter")
        .contains("imagecache_requests_total{result=\"hit\"} 1.0")
        .contains("# TYPE imagecache_build info")
        .endsWith("# EOF\n");
  }

  @Test
  void everyMetricIsNamedImagecacheOrIsAJvmProcessOrNettyOneAndHasHelp() throws Exception {
    traffic();
    String text = scrape();

    List<String> names = text.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .map(line -> line.split("[{ ]", 2)[0]).distinct().toList();
    assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(name)
        .matches("(imagecache|jvm|process|system|netty_allocator)_.*"));
    assertThat(text.lines().filter(line -> line.startsWith("# TYPE ")).count())
        .isEqualTo(text.lines().filter(line -> line.startsWith("# HELP ")).count());
  }

  @Test
  void jvmProcessAndNettyAllocatorMetricsAreReported() throws Exception {
    String text = scrape();

    assertThat(sum(text, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
    assertThat(value(text, "jvm_threads_live_threads", "")).isPositive();
    assertThat(value(text, "jvm_classes_loaded_classes", "")).isPositive();
    assertThat(text).contains("# TYPE jvm_gc_memory_allocated_bytes_total counter");
    assertThat(value(text, "system_cpu_usage", "")).isNotNegative();
    assertThat(value(text, "process_uptime_seconds", "")).isPositive();
    assertThat(value(text, "process_files_open_files", "")).isPositive();
    assertThat(value(text, "process_files_max_files", "")).isPositive();
    assertThat(text).contains("# TYPE netty_allocator_memory_used gauge");
  }

  @Test
  void theBuildIsReportedWithItsVersionAndCommit() throws Exception {
    String text = scrape();
    Matcher build = Pattern.compile(
        "^imagecache_build_info\\{commit=\"([^\"]*)\",version=\"([^\"]*)\"} 1(\\.0)?$",
        Pattern.MULTILINE).matcher(text);

    assertThat(build.find()).as("imagecache_build_info sample in:%n%s", text).isTrue();
    // Built from this git checkout by Maven: both are known.
    assertThat(build.group(1)).matches("[0-9a-f]{7,40}");
    assertThat(build.group(2)).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void refusalsByTheOriginAreCountedAsDeniedNotAsErrors() throws Exception {
    origin.put("private", TestImages.bytes(4, SIZE)).status(401);
    origin.put("forbidden", TestImages.bytes(5, SIZE)).status(403);

    assertThat(server.get(ServerHarness.file("private")).statusCode()).isEqualTo(401);
    assertThat(server.get(ServerHarness.file("forbidden")).statusCode()).isEqualTo(403);

    String text = scrape();
    assertThat(value(text, "imagecache_requests_total", "result=\"denied\"")).isEqualTo(2);
    assertThat(value(text, "imagecache_requests_total", "result=\"error\"")).isZero();
    assertThat(value(text, "imagecache_time_to_first_byte_seconds_count", "result=\"denied\""))
        .isEqualTo(2);
  }

  @Test
  void timeToFirstByteIsAHistogramByResultAndFillsAreTimed() throws Exception {
    traffic();

    await().atMost(WAIT).untilAsserted(() -> {
      String text = scrape();
      for (String result : List.of("hit", "miss", "pass-through", "error")) {
        String label = "result=\"" + result + "\"";
        assertThat(value(text, "imagecache_time_to_first_byte_seconds_count", label))
            .as(result).isEqualTo(1);
        assertThat(value(text, "imagecache_time_to_first_byte_seconds_bucket",
            label + ",le=\"+Inf\"")).as(result).isEqualTo(1);
        assertThat(value(text, "imagecache_time_to_first_byte_seconds_bucket",
            label + ",le=\"30.0\"")).as(result).isEqualTo(1);
      }
      assertThat(value(text, "imagecache_time_to_first_byte_seconds_count",
          "result=\"fill-join\"")).isZero();
      assertThat(value(text, "imagecache_fill_duration_seconds_count",
          "outcome=\"committed\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_fill_duration_seconds_bucket",
          "outcome=\"committed\",le=\"+Inf\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_fill_duration_seconds_count", "outcome=\"failed\""))
          .isZero();
      assertThat(value(text, "imagecache_fill_throughput_bytes_per_second_count", ""))
          .isEqualTo(1);
    });
  }

  @Test
  void prefetchFillsAreTimedLikeTheFillsOfImageRequests() throws Exception {
    assertThat(api.send("PUT", "/v2/cache/img").statusCode()).isEqualTo(202);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent());

    await().atMost(WAIT).untilAsserted(() -> {
      String text = scrape();
      assertThat(value(text, "imagecache_requests_total", "result=\"miss\"")).isZero();
      assertThat(value(text, "imagecache_fill_duration_seconds_count",
          "outcome=\"committed\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_fill_throughput_bytes_per_second_count", ""))
          .isEqualTo(1);
      assertThat(value(text, "imagecache_fill_throughput_bytes_per_second_sum", ""))
          .isPositive();
    });
  }

  @Test
  void imageRequestsAreCountedByResultAndTheirBytesBySource() throws Exception {
    traffic();

    await().atMost(WAIT).untilAsserted(() -> {
      String text = scrape();
      assertThat(value(text, "imagecache_requests_total", "result=\"hit\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_requests_total", "result=\"miss\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_requests_total", "result=\"pass-through\""))
          .isEqualTo(1);
      assertThat(value(text, "imagecache_requests_total", "result=\"error\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_requests_total", "result=\"fill-join\"")).isZero();
      assertThat(value(text, "imagecache_served_bytes_total", "source=\"cache\""))
          .isEqualTo(SIZE);
      assertThat(value(text, "imagecache_served_bytes_total", "source=\"fill\""))
          .isEqualTo(SIZE);
      assertThat(value(text, "imagecache_served_bytes_total", "source=\"origin\""))
          .isEqualTo(TOO_LARGE);
    });
  }

  @Test
  void theCachesOwnFiguresAreReported() throws Exception {
    traffic();
    origin.put("broken", TestImages.bytes(3, SIZE)).truncateAfter(SIZE / 2);
    try {
      server.get(ServerHarness.file("broken"));
    } catch (IOException expected) {
      // The origin broke off: so does the response.
    }

    await().atMost(WAIT).untilAsserted(() -> {
      String text = scrape();
      assertThat(value(text, "imagecache_cache_size_bytes", "")).isEqualTo(SIZE);
      assertThat(value(text, "imagecache_cache_images", "")).isEqualTo(1);
      assertThat(value(text, "imagecache_cache_max_bytes", "")).isEqualTo(128 * TestImages.KiB);
      assertThat(value(text, "imagecache_cache_high_water_bytes", ""))
          .isEqualTo(128 * TestImages.KiB * server.cache().config().highWater());
      assertThat(value(text, "imagecache_cache_reserved_bytes", "")).isZero();
      assertThat(value(text, "imagecache_fills_in_progress", "")).isZero();
      assertThat(value(text, "imagecache_fill_waiting_readers", "")).isZero();
      assertThat(value(text, "imagecache_origin_fetches_total", "")).isEqualTo(2);
      assertThat(value(text, "imagecache_origin_read_bytes_total", ""))
          .isEqualTo(SIZE + SIZE / 2);
      assertThat(value(text, "imagecache_peer_read_bytes_total", "")).isZero();
      assertThat(value(text, "imagecache_fills_committed_total", "")).isEqualTo(1);
      assertThat(value(text, "imagecache_fill_failures_total", "reason=\"truncated\""))
          .isEqualTo(1);
      assertThat(value(text, "imagecache_fill_failures_total", "reason=\"digest\"")).isZero();
      assertThat(value(text, "imagecache_evictions_total", "")).isZero();
      assertThat(value(text, "imagecache_evicted_bytes_total", "")).isZero();
      assertThat(value(text, "imagecache_queue_length", "")).isZero();
      assertThat(value(text, "imagecache_ready", "check=\"store\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_ready", "check=\"cache_dir\"")).isEqualTo(1);
      assertThat(value(text, "imagecache_fill_duration_seconds_count", "outcome=\"failed\""))
          .isEqualTo(1);
    });
  }

  @Test
  void promtoolAcceptsTheMetrics() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian: prometheus)");
    traffic();
    Path scraped = dir.resolve("metrics.txt");
    Files.writeString(scraped, scrape());

    Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
        .redirectInput(scraped.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("promtool.txt").toFile())
        .start();
    boolean ended = check.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      check.destroyForcibly();
    }

    assertThat(ended).isTrue();
    assertThat(Files.readString(dir.resolve("promtool.txt"))).isEmpty();
    assertThat(check.exitValue()).isZero();
  }

  /** A miss, a hit, a pass-through (larger than the cache) and an error. */
  private void traffic() throws IOException, InterruptedException {
    assertThat(server.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent());
    assertThat(server.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
    assertThat(server.get(ServerHarness.file("large")).body()).hasSize(TOO_LARGE);
    assertThat(server.get(ServerHarness.file("unknown")).statusCode()).isEqualTo(404);
  }

  private String scrape() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = server.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** The sum of every sample {@code name} whose labels contain {@code label}. */
  private static double sum(String text, String name, String label) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label)
        + "[^}]*\\} (\\S+)$", Pattern.MULTILINE).matcher(text);
    double total = 0;
    while (matcher.find()) {
      total += Double.parseDouble(matcher.group(1));
    }
    return total;
  }

  /** The value of sample {@code name} whose labels contain {@code label} (or have none). */
  private static double value(String text, String name, String label) {
    Pattern sample = Pattern.compile("^" + Pattern.quote(name)
        + (label.isEmpty() ? "" : "\\{[^}]*" + Pattern.quote(label) + "[^}]*\\}") + " (\\S+)$",
        Pattern.MULTILINE);
    Matcher matcher = sample.matcher(text);
    if (!matcher.find()) {
      throw new AssertionError("no sample " + name + " {" + label + "} in:\n" + text);
    }
    return Double.parseDouble(matcher.group(1));
  }
}
