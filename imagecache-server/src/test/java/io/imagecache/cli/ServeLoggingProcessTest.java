package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imagecache serve} as a real process with the shipped logging configuration: the logging
 * options reach Logback through {@link Main}, the access log is written to its file as JSON, and
 * the server log on stderr is JSON too.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServeLoggingProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The start-up line, whose slashes Logback's JSON encoder escapes. */
  private static final Pattern SERVING =
      Pattern.compile("on http:\\\\?/\\\\?/127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path temp;

  @Test
  void accessLogFileAndJsonServerLogFromTheCommandLine() throws Exception {
    Path origin = Files.createDirectories(temp.resolve("origin"));
    Files.write(origin.resolve("img"), new byte[4096]);
    Path access = temp.resolve("logs/access.log");
    Path stderr = temp.resolve("stderr.txt");
    Process serve = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
        Main.class.getName(), "serve", "--cache-dir", temp.resolve("cache").toString(),
        "--origin", origin.toString(), "--listen", "127.0.0.1:0", "--no-fsync",
        "--access-log", access.toString(), "--log-format", "json", "--log-level", "debug")
        .redirectErrorStream(false)
        .redirectOutput(temp.resolve("stdout.txt").toFile())
        .redirectError(stderr.toFile())
        .start();
    try {
      AtomicInteger port = new AtomicInteger();
      await().atMost(WAIT).until(() -> {
        Matcher serving = SERVING.matcher(Files.readString(stderr, StandardCharsets.UTF_8));
        if (serving.find()) {
          port.set(Integer.parseInt(serving.group(1)));
        }
        return port.get() > 0;
      });
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port.get() + "/v2/images/img/file"))
          .header("User-Agent", "process-test").build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);

      await().atMost(WAIT).until(() -> Files.exists(access) && !Files.readString(access).isEmpty());
      JsonNode line = new ObjectMapper().readTree(Files.readAllLines(access).get(0));
      assertThat(line.get("target").asText()).isEqualTo("/v2/images/img/file");
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("bytes").asLong()).isEqualTo(4096);
      assertThat(line.get("result").asText()).isEqualTo("miss");
      assertThat(line.get("user_agent").asText()).isEqualTo("process-test");

      List<String> serverLines = Files.readAllLines(stderr);
      ObjectMapper json = new ObjectMapper();
      for (String serverLine : serverLines) {
        assertThat(json.readTree(serverLine).has("formattedMessage")).isTrue();
      }
      // Debug lines of imagecache itself are on: the router logs each image request at DEBUG.
      await().atMost(WAIT).until(() -> Files.readString(stderr).contains("\"level\":\"DEBUG\""));
    } finally {
      serve.destroy();
      if (!serve.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }
}
