package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imagecache.CacheConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

  @TempDir
  Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  /** Settings the server was started with, in order. */
  private final List<ServeSettings> started = new ArrayList<>();

  @Test
  void serveHandsTheResolvedSettingsWithTheGeneratedTokenToTheServer() throws IOException {
    Path cacheDir = temp.resolve("cache");

    int exit = run(Map.of("IMAGECACHE_MAX_SIZE", "1GiB"),
        "serve", "--cache-dir", cacheDir.toString(), "--listen", "[::1]:0", "--no-fsync");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    String token = AdminToken.read(cacheDir).orElseThrow();
    assertThat(started).containsExactly(ServeSettings.defaults(
            CacheConfig.builder(cacheDir).maxSize(1L << 30).durable(false).build())
        .withListen(new ListenAddress("::1", 0))
        .withAdminToken(token));
  }

  @Test
  void aConfiguredTokenIsUsedAndNoTokenFileIsWritten() {
    Path cacheDir = temp.resolve("cache");

    int exit = run(Map.of("IMAGECACHE_ADMIN_TOKEN", "from-env"),
        "serve", "--cache-dir", cacheDir.toString());

    assertThat(exit).isZero();
    assertThat(started).singleElement()
        .satisfies(settings -> assertThat(settings.adminToken()).contains("from-env"));
    assertThat(cacheDir.resolve("admin-token")).doesNotExist();
  }

  @Test
  void serveReadsTheConfigFileNamedInTheEnvironment() throws IOException {
    Path config = Files.writeString(temp.resolve("imagecache.yaml"),
        "cache_dir: " + temp.resolve("from-file") + "\nmax-size: 2GiB\n");

    int exit = run(Map.of("IMAGECACHE_CONFIG", config.toString()), "serve", "--max-size", "3GiB");

    assertThat(exit).isZero();
    assertThat(started).singleElement().satisfies(settings -> {
      assertThat(settings.cache().dir()).isEqualTo(temp.resolve("from-file"));
      assertThat(settings.cache().maxSize()).isEqualTo(3L << 30);
    });
  }

  @Test
  void anUnknownFlagExitsWith2AndOneClearMessage() {
    int exit = run(Map.of(), "serve", "--max-siz", "1GiB");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("imagecache serve: Unknown option")
        .contains("'--max-siz'", "Possible solutions: --max-size")
        .contains("Try 'imagecache serve --help' for more.")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(started).isEmpty();
  }

  @Test
  void aFlagWithoutItsValueExitsWith2() {
    int exit = run(Map.of(), "serve", "--listen");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("imagecache serve: Missing required parameter");
    assertThat(started).isEmpty();
  }

  @Test
  void aBadValueExitsWith2NamingTheOptionAndItsSource() {
    int exit = run(Map.of("IMAGECACHE_MAX_SIZE", "12XB"),
        "serve", "--cache-dir", temp.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(String.format(
        "imagecache serve: invalid --max-size \"12XB\" (from IMAGECACHE_MAX_SIZE): unknown unit"
            + " \"XB\"; expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB%n"));
    assertThat(started).isEmpty();
    assertThat(temp.resolve("admin-token")).doesNotExist();
  }

  @Test
  void aBadLoggingValueExitsWith2NamingTheOptionBeforeAnythingIsWritten() {
    int exit = run(Map.of(), "serve", "--cache-dir", temp.toString(), "--log-format", "xml");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(String.format(
        "imagecache serve: invalid --log-format \"xml\" (from the command line):"
            + " expected text or json%n"));
    assertThat(started).isEmpty();
    assertThat(temp.resolve("admin-token")).doesNotExist();
  }

  @Test
  void aServerFailureExitsWith1WithItsMessage() {
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new IOException("Address already in use");
    }, Map.of());

    int exit = execute(commandLine, "serve", "--cache-dir", temp.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(String.format("imagecache serve: Address already in use%n"));
  }

  @Test
  void theServersExitCodeIsTheProcessExitCode() {
    CommandLine commandLine = Main.commandLine(settings -> 3, Map.of());

    assertThat(execute(commandLine, "serve", "--cache-dir", temp.toString())).isEqualTo(3);
  }

  @Test
  void versionPrintsTheVersion() {
    int exit = run(Map.of(), "version");

    assertThat(exit).isZero();
    assertThat(out.toString()).matches("imagecache \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
  }

  @Test
  void versionFlagPrintsTheSameLine() {
    run(Map.of(), "version");
    String subcommand = out.toString();
    out.getBuffer().setLength(0);

    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(out.toString()).isEqualTo(subcommand);
  }

  @Test
  void noCommandExitsWith2AndListsTheCommands() {
    int exit = run(Map.of());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("imagecache: missing command")
        .contains("serve", "version");
  }

  @Test
  void serveHelpListsEveryOptionWithItsDefault() {
    int exit = run(Map.of(), "serve", "--help");

    assertThat(exit).isZero();
    for (ServeOption option : ServeOption.values()) {
      assertThat(out.toString()).contains(option.flag());
    }
    assertThat(out.toString()).contains("default: 127.0.0.1:9292", "default: 10GiB",
        "default: 24h", "default: ./imagecache-data", "default: sqlite", "IMAGECACHE_<OPTION>");
  }

  private int run(Map<String, String> env, String... args) {
    return execute(Main.commandLine(settings -> {
      started.add(settings);
      return 0;
    }, env), args);
  }

  private int execute(CommandLine commandLine, String... args) {
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }
}
