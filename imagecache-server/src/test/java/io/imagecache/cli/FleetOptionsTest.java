package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The fleet options of {@code serve}: {@code fleet-token} (or its file twin) turns the fleet on
 * and needs driver postgres; {@code node-dead-after} and {@code peer-uploads} apply to a fleet
 * only. A refusal is one line and exit 2, the token never shown.
 */
class FleetOptionsTest {
  private static final String DB_URL = "jdbc:postgresql://db.example:5432/glance";

  @TempDir
  Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ServeSettings> started = new ArrayList<>();

  @Test
  void aFleetTokenFileWithDriverPostgresTurnsTheFleetOnWithTheDefaults() throws IOException {
    Path tokenFile = Files.writeString(temp.resolve("fleet-token"), "s3cret-fleet\n");

    int exit = run(Map.of(), "serve", "--cache-dir", temp.toString(), "--driver", "postgres",
        "--db-url", DB_URL, "--node-url", "http://node-1:9292",
        "--fleet-token-file", tokenFile.toString());

    assertThat(exit).as(err.toString()).isZero();
    CacheConfig.Fleet fleet = started.get(0).cache().fleet().orElseThrow();
    assertThat(fleet.token()).isEqualTo("s3cret-fleet");
    assertThat(fleet.nodeDeadAfter()).isEqualTo(Duration.ofSeconds(15));
    assertThat(fleet.peerUploads()).isEqualTo(4);
    assertThat(started.get(0).cache().toString()).doesNotContain("s3cret-fleet");
  }

  @Test
  void nodeDeadAfterAndPeerUploadsAreTaken() {
    int exit = run(Map.of("IMAGECACHE_PEER_UPLOADS", "2"), "serve", "--cache-dir",
        temp.toString(), "--driver", "postgres", "--db-url", DB_URL, "--node-url",
        "http://node-1:9292", "--fleet-token", "s3cret-fleet", "--node-dead-after", "5s");

    assertThat(exit).as(err.toString()).isZero();
    CacheConfig.Fleet fleet = started.get(0).cache().fleet().orElseThrow();
    assertThat(fleet.nodeDeadAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fleet.peerUploads()).isEqualTo(2);
  }

  @Test
  void withoutAFleetTokenAPostgresNodeIsNoFleetNode() {
    int exit = run(Map.of(), "serve", "--cache-dir", temp.toString(), "--driver", "postgres",
        "--db-url", DB_URL, "--node-url", "http://node-1:9292");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(started.get(0).cache().fleet()).isEmpty();
  }

  @Test
  void checkRefusesAFleetTokenWithoutDriverPostgresInOneLine() {
    int exit = run(Map.of(), "serve", "--check", "--cache-dir", temp.toString(),
        "--fleet-token", "s3cret-fleet");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1)
        .contains("--fleet-token", "driver postgres")
        .doesNotContain("s3cret-fleet");
    assertThat(started).isEmpty();
  }

  @Test
  void checkRefusesPeerUploadsOutsideAFleet() {
    int exit = run(Map.of(), "serve", "--check", "--cache-dir", temp.toString(),
        "--peer-uploads", "8");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--peer-uploads", "--fleet-token");
  }

  @Test
  void checkRefusesZeroPeerUploads() {
    int exit = run(Map.of(), "serve", "--check", "--cache-dir", temp.toString(),
        "--driver", "postgres", "--db-url", DB_URL, "--node-url", "http://node-1:9292",
        "--fleet-token", "s3cret-fleet", "--peer-uploads", "0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--peer-uploads");
  }

  @Test
  void checkRefusesTheTokenAndItsFileBoth() throws IOException {
    Path tokenFile = Files.writeString(temp.resolve("fleet-token"), "s3cret-fleet\n");

    int exit = run(Map.of("IMAGECACHE_FLEET_TOKEN", "other-secret"), "serve", "--check",
        "--cache-dir", temp.toString(), "--driver", "postgres", "--db-url", DB_URL,
        "--node-url", "http://node-1:9292", "--fleet-token-file", tokenFile.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1)
        .contains("--fleet-token", "--fleet-token-file")
        .doesNotContain("s3cret-fleet", "other-secret");
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine commandLine = Main.commandLine(settings -> {
      started.add(settings);
      return 0;
    }, env);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }
}
