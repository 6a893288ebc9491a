package io.imagecache.cli;

import static io.imagecache.cli.ScriptedApiServer.Answer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code status} against a scripted API, with {@link CliRun#FIXED}'s clock for the rates. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StatusCommandTest {
  /** Twenty seconds before the fixed clock (2025-11-25T00:00:00Z). */
  private static final String STARTED_AT = "1764028780.0";
  private static final String STATUS = "{\"fills\": ["
      + "{\"image_id\": \"ubuntu\", \"state\": \"running\", \"bytes_written\": 419430400,"
      + " \"expected_size\": 1073741824, \"started_at\": " + STARTED_AT + "},"
      + "{\"image_id\": \"iso\", \"state\": \"opening\", \"bytes_written\": 0,"
      + " \"expected_size\": null, \"started_at\": " + STARTED_AT + "}],"
      + " \"prefetch\": ["
      + "{\"image_id\": \"ubuntu\", \"state\": \"fetching\", \"attempts\": 1,"
      + " \"last_error\": null, \"next_attempt_at\": null},"
      + "{\"image_id\": \"debian\", \"state\": \"retrying\", \"attempts\": 2,"
      + " \"last_error\": \"could not connect to origin http://store:80: unknown host store\","
      + " \"next_attempt_at\": 1764028810.0}]}";

  private ScriptedApiServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = ScriptedApiServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void statusIsATableOfFillsWithRateAndTimeLeftThenThePrefetchStates() {
    server.on("GET", "/v2/cache/status", json(STATUS));

    CliRun.Result result = run("status");

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly(
        "FILL    STATE    DONE                BYTES        RATE  LEFT",
        "ubuntu  running   39%  400.0 MiB / 1.0 GiB  20.0 MiB/s   32s",
        "iso     opening     -                  0 B           -     -",
        "",
        "PREFETCH  STATE     ATTEMPTS  LAST ERROR",
        "ubuntu    fetching         1  -",
        "debian    retrying         2  could not connect to origin http://store:80: unknown host store");
    assertThat(server.requestLines()).containsExactly("GET /v2/cache/status");
  }

  @Test
  void jsonPrintsTheServersAnswerAsItCame() {
    server.on("GET", "/v2/cache/status", json(STATUS));

    CliRun.Result result = run("status", "--json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().strip()).isEqualTo(STATUS);
  }

  @Test
  void anIdleServerIsOneLine() {
    server.on("GET", "/v2/cache/status", json("{\"fills\": [], \"prefetch\": []}"));

    CliRun.Result result = run("status");

    assertThat(result.outLines())
        .containsExactly("No fills are running and the prefetch queue is empty.");
  }

  private CliRun.Result run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server=" + server.url();
    all[args.length + 1] = "--token=s3cret";
    return CliRun.run(Map.of(), all);
  }
}
