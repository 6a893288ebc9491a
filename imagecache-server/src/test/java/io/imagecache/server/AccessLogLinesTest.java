package io.imagecache.server;

import static io.imagecache.server.ServerHarness.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imagecache.ImageId;
import io.imagecache.cli.LogSettings;
import io.imagecache.cli.LogSetup;
import io.imagecache.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The access log end to end: real requests on loopback to a server with a Glance test origin,
 * the log set up as {@code serve --access-log FILE} sets it up, its file read back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccessLogLinesTest {
  private static final int SIZE = 256 * 1024 + 7;
  private static final byte[] IMAGE = TestImages.bytes(13, SIZE);
  private static final String AGENT = "User-Agent: access-test/1.0 \"quoted\"";

  @TempDir
  Path tmp;
  private TestOrigin origin;
  private ServerHarness server;
  private Path log;

  private void start(boolean json) throws Exception {
    log = tmp.resolve("logs/access.log");
    LogSetup.accessLog(context(), new LogSettings(LogSettings.Level.INFO, json,
        new LogSettings.Access(false, Optional.of(log))));
    origin = TestOrigin.start();
    origin.put("img", IMAGE);
    server = ServerHarness.start(tmp.resolve("cache"), origin.glanceSpec());
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (server != null) {
        server.close();
      }
      if (origin != null) {
        origin.close();
      }
    } finally {
      LogSetup.accessLog(context(), LogSettings.DEFAULT);
    }
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  /** Miss, hit, range, 404, 400 and a proxied call, in that order, on one connection. */
  private void sendTheRequests() throws Exception {
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), AGENT);
      assertThat(connection.read().status()).isEqualTo(200);
      await().atMost(ServerHarness.WAIT).until(() -> server.cache().isCached(ImageId.of("img")));
      connection.sendGet(file("img"), AGENT);
      assertThat(connection.read().status()).isEqualTo(200);
      connection.sendGet(file("img"), AGENT, "Range: bytes=10-109");
      assertThat(connection.read().status()).isEqualTo(206);
      connection.sendGet(file("missing"), AGENT);
      assertThat(connection.read().status()).isEqualTo(404);
      connection.sendGet("/v2/images/img", AGENT, "X-Auth-Token: a", "X-Auth-Token: b");
      assertThat(connection.read().status()).isEqualTo(400);
      connection.sendGet("/v2/images/img", AGENT);
      assertThat(connection.read().status()).isEqualTo(200);
    }
  }

  private List<String> lines(int count) {
    List<String> lines = new ArrayList<>();
    await().atMost(ServerHarness.WAIT).until(() -> {
      lines.clear();
      if (Files.exists(log)) {
        lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
      }
      return lines.size() >= count;
    });
    return lines;
  }

  @Test
  void textLinesAreCombinedStyleWithDurationTimeToFirstByteAndResult() throws Exception {
    start(false);
    sendTheRequests();

    List<String> lines = lines(6);
    assertThat(lines).hasSize(6);
    String prefix = "127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] ";
    String agent = " \"-\" \"access-test/1\\.0 \\\\x22quoted\\\\x22\" \\d+\\.\\d{3} \\d+\\.\\d{3} ";
    assertThat(lines.get(0)).matches(prefix + "\"GET /v2/images/img/file HTTP/1\\.1\" 200 "
        + SIZE + agent + "miss");
    assertThat(lines.get(1)).matches(prefix + "\"GET /v2/images/img/file HTTP/1\\.1\" 200 "
        + SIZE + agent + "hit");
    assertThat(lines.get(2)).matches(prefix + "\"GET /v2/images/img/file HTTP/1\\.1\" 206 100"
        + agent + "hit");
    assertThat(lines.get(3)).matches(prefix + "\"GET /v2/images/missing/file HTTP/1\\.1\" 404 \\d+"
        + agent + "error");
    assertThat(lines.get(4)).matches(prefix + "\"GET /v2/images/img HTTP/1\\.1\" 400 \\d+"
        + agent + "error");
    assertThat(lines.get(5)).matches(prefix + "\"GET /v2/images/img HTTP/1\\.1\" 200 \\d+"
        + agent + "proxied");
  }

  @Test
  void jsonLinesCarryEveryFieldTyped() throws Exception {
    start(true);
    sendTheRequests();

    List<String> lines = lines(6);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> entries = new ArrayList<>();
    for (String line : lines) {
      entries.add(json.readTree(line));
    }
    JsonNode range = entries.get(2);
    assertThat(range.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(range.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(range.get("method").asText()).isEqualTo("GET");
    assertThat(range.get("target").asText()).isEqualTo(file("img"));
    assertThat(range.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(range.get("status").isInt()).isTrue();
    assertThat(range.get("status").asInt()).isEqualTo(206);
    assertThat(range.get("bytes").asLong()).isEqualTo(100);
    assertThat(range.get("duration").isDouble()).isTrue();
    assertThat(range.get("ttfb").asDouble())
        .isBetween(0.0, range.get("duration").asDouble());
    assertThat(range.get("result").asText()).isEqualTo("hit");
    assertThat(range.get("aborted").asBoolean()).isFalse();
    assertThat(range.get("user_agent").asText()).isEqualTo("access-test/1.0 \"quoted\"");
    assertThat(entries).extracting(entry -> entry.get("result").asText())
        .containsExactly("miss", "hit", "hit", "error", "error", "proxied");
    assertThat(entries).extracting(entry -> entry.get("status").asInt())
        .containsExactly(200, 200, 206, 404, 400, 200);
    assertThat(entries.get(0).get("bytes").asLong()).isEqualTo(SIZE);
  }

  @Test
  void aResponseCutByTheClientIsLoggedAsAborted() throws Exception {
    start(false);
    origin.global().rateLimit(64 * 1024);
    try (RawHttp connection = server.connect()) {
      connection.sendGet(file("img"), AGENT);
      assertThat(connection.readHead().status()).isEqualTo(200);
    }

    assertThat(lines(1)).singleElement().asString()
        .contains("\"GET /v2/images/img/file HTTP/1.1\" 200 ")
        .endsWith(" miss aborted");
  }
}
