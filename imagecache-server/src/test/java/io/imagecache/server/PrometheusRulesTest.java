package io.imagecache.server;

import static io.imagecache.server.ServerHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules shipped in {@code deploy/prometheus}: {@code promtool check rules} accepts them,
 * {@code promtool test rules} runs their unit tests, and every metric they name is in a real
 * server's scrape.
 */
class PrometheusRulesTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  /** Surefire runs in the module's directory; the rules are the repository's. */
  private static final Path RULES = Path.of("..", "deploy", "prometheus").toAbsolutePath();

  @TempDir
  Path dir;

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    assertThat(run("check", "rules", "imagecache-rules.yml")).contains("SUCCESS: 7 rules found");
  }

  @Test
  void theRulesUnitTestsPass() throws Exception {
    assertThat(run("test", "rules", "imagecache-rules-test.yml")).contains("SUCCESS");
  }

  @Test
  void everyMetricTheRulesNameIsOneTheServerExports() throws Exception {
    List<String> named = Pattern.compile("\\b(imagecache|process)_[a-z_]+")
        .matcher(Files.readString(RULES.resolve("imagecache-rules.yml")))
        .results().map(MatchResult::group).distinct().toList();
    String scraped;
    try (ServerHarness server = ServerHarness.start(
        ServerHarness.config(dir.resolve("cache")).build(), Optional.empty())) {
      scraped = new String(server.get("/metrics").body(), StandardCharsets.UTF_8);
    }

    assertThat(named).contains("imagecache_ready", "imagecache_fill_failures_total",
        "imagecache_time_to_first_byte_seconds_bucket");
    assertThat(named).allSatisfy(name ->
        assertThat(scraped).as("samples of %s", name).containsPattern("(?m)^" + name + "[{ ]"));
  }

  /** Runs promtool in the rules' directory; asserts it exits 0 and returns what it printed. */
  private String run(String... arguments) throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian: prometheus)");
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(arguments));
    Path output = dir.resolve("promtool.txt");
    Process process = new ProcessBuilder(command)
        .directory(RULES.toFile())
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
    return printed;
  }
}
