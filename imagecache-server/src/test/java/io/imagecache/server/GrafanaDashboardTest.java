package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard shipped in {@code deploy/grafana}: importable (a Prometheus datasource
 * input, an instance variable, every panel querying through them), every metric its queries name
 * is in the scrape of a real server that has served a hit and a miss and prefetched an image, and
 * {@code promtool} parses every query (as recording rules, Grafana's variables substituted).
 */
class GrafanaDashboardTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  /** Surefire runs in the module's directory; the dashboard is the repository's. */
  private static final Path DASHBOARD =
      Path.of("..", "deploy", "grafana", "imagecache-dashboard.json").toAbsolutePath();
  /** PromQL's functions, aggregations and keywords: every other word of a query is a metric. */
  private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count",
      "rate", "irate", "increase", "histogram_quantile", "clamp_min", "clamp_max", "and", "or",
      "unless", "bool", "offset", "group_left", "group_right", "time", "vector", "scalar", "abs",
      "inf", "nan");
  /** Label lists ({@code by (…)}, {@code on (…)}) and matchers ({@code {…}}), ranges, strings. */
  private static final Pattern NOT_METRICS = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)|\\{[^}]*\\}|\\[[^]]*\\]"
          + "|\"[^\"]*\"");
  private static final Pattern WORD = Pattern.compile("\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\b");

  @TempDir
  Path dir;

  private static JsonNode dashboard;

  @BeforeAll
  static void read() throws Exception {
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  @Test
  void isImportableWithAPrometheusInputAndAnInstanceVariable() {
    JsonNode input = dashboard.path("__inputs").path(0);
    assertThat(input.path("name").asText()).isEqualTo("DS_PROMETHEUS");
    assertThat(input.path("type").asText()).isEqualTo("datasource");
    assertThat(input.path("pluginId").asText()).isEqualTo("prometheus");
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.has("id")).as("an exported dashboard has no id").isFalse();
    JsonNode instance = variable("instance");
    assertThat(instance.path("query").toString()).contains("imagecache_build_info");
    assertThat(instance.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");

    assertThat(panels()).hasSizeGreaterThanOrEqualTo(15).allSatisfy(panel -> {
      assertThat(panel.path("title").asText()).isNotBlank();
      assertThat(panel.path("datasource").path("uid").asText()).as(title(panel))
          .isEqualTo("${DS_PROMETHEUS}");
      assertThat(panel.path("targets")).as(title(panel)).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as(title(panel)).contains("$instance");
      }
    });
  }

  @Test
  void everyMetricTheDashboardQueriesIsInARealServersScrape() throws Exception {
    Set<String> named = new TreeSet<>();
    for (String expr : exprs()) {
      String words = NOT_METRICS.matcher(expr).replaceAll(" ");
      WORD.matcher(words).results().map(MatchResult::group)
          .filter(word -> !PROMQL_WORDS.contains(word))
          .forEach(named::add);
    }
    String scraped = scrapeAfterAHitAMissAndAPrefetch();

    assertThat(named).contains("imagecache_requests_total",
        "imagecache_time_to_first_byte_seconds_bucket", "imagecache_fill_duration_seconds_bucket",
        "imagecache_fill_throughput_bytes_per_second_bucket", "imagecache_cache_max_bytes",
        "imagecache_queue_length", "imagecache_ready", "jvm_memory_used_bytes",
        "process_files_open_files");
    assertThat(named).allSatisfy(name ->
        assertThat(scraped).as("samples of %s", name).containsPattern("(?m)^" + name + "[{ ]"));
  }

  @Test
  void promtoolParsesEveryQuery() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian: prometheus)");
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    List<String> exprs = exprs();
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "5m").replace("$instance", ".*");
      rules.append("      - record: dashboard:query_").append(i).append('\n')
          .append("        expr: '").append(expr.replace("'", "''").replace("\n", " "))
          .append("'\n");
    }
    Path file = dir.resolve("dashboard-rules.yml");
    Files.writeString(file, rules);
    Path output = dir.resolve("promtool.txt");
    Process process = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    boolean ended = process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    String printed = Files.readString(output);

    assertThat(ended).as("promtool ended").isTrue();
    assertThat(process.exitValue()).as(printed).isZero();
    assertThat(printed).contains("SUCCESS: " + exprs.size() + " rules found");
  }

  /** A miss, then a hit, of one image, and another image prefetched; the scrape after them. */
  private String scrapeAfterAHitAMissAndAPrefetch() throws Exception {
    try (TestOrigin origin = TestOrigin.start()) {
      origin.put("img", TestImages.bytes(1, 64 * TestImages.KiB));
      origin.put("queued", TestImages.bytes(2, 64 * TestImages.KiB));
      try (ServerHarness server = ServerHarness.start(
          ServerHarness.config(dir.resolve("cache")).build(), Optional.of(origin.glanceSpec()))) {
        AdminApi api = new AdminApi(server);
        assertThat(server.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> api.cachedEntry("img").isPresent());
        assertThat(server.get(ServerHarness.file("img")).statusCode()).isEqualTo(200);
        assertThat(api.send("PUT", "/v2/cache/queued").statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> api.cachedEntry("queued").isPresent() && api.idle());
        String scraped = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
        if (System.getenv("IMAGECACHE_DUMP_SCRAPE") != null) {
          Files.writeString(Path.of(System.getenv("IMAGECACHE_DUMP_SCRAPE")), scraped);
        }
        return scraped;
      }
    }
  }

  private static JsonNode variable(String name) {
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("name").asText().equals(name)) {
        return variable;
      }
    }
    throw new AssertionError("no variable " + name);
  }

  /** Every panel, those inside rows too; rows themselves are not panels. */
  private static List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }

  private static List<String> exprs() {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : panels()) {
      panel.path("targets").forEach(target -> exprs.add(target.path("expr").asText()));
    }
    assertThat(exprs).isNotEmpty();
    return exprs;
  }

  private static String title(JsonNode panel) {
    return "panel " + panel.path("title").asText();
  }
}
