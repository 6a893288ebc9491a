package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --check}: the settings resolved exactly as {@code serve} resolves them, reported
 * without starting anything or writing anything (no cache directory, no admin-token file).
 */
class ServeCheckTest {
  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void aGoodConfigurationPrintsOkAndTheEffectiveSettingsAndWritesNothing() throws IOException {
    Path cacheDir = temp.resolve("cache");
    Path config = Files.writeString(temp.resolve("imagecache.yaml"),
        "cache-dir: " + cacheDir + "\ndriver: xattr\nlisten: 0.0.0.0:9000\nmax-size: 2GiB\n");

    int exit = check(Map.of("IMAGECACHE_LISTEN", "127.0.0.1:9393"),
        "--config", config.toString(), "--shutdown-grace", "90s");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString().lines()).containsExactly(
        "configuration OK", "listen: 127.0.0.1:9393", "cache-dir: " + cacheDir, "driver: xattr");
    assertThat(cacheDir).doesNotExist();
  }

  @Test
  void aBadFlagValueExitsWith2AndTheUsualLine() {
    int exit = check(Map.of(), "--cache-dir", temp.resolve("cache").toString(),
        "--high-water", "80", "--low-water", "90");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).singleElement().asString()
        .startsWith("imagecache serve: invalid --low-water \"90\" (from the command line):");
    assertThat(temp.resolve("cache")).doesNotExist();
  }

  @Test
  void aBadFileExitsWith2NamingTheKeyAndTheFile() throws IOException {
    Path config = Files.writeString(temp.resolve("bad.yaml"), "max-size: 12XB\n");

    int exit = check(Map.of("IMAGECACHE_CONFIG", config.toString()),
        "--cache-dir", temp.resolve("cache").toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("imagecache serve: invalid --max-size \"12XB\" (from "
        + config + ", key max-size)");
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(temp.resolve("cache")).doesNotExist();
  }

  @Test
  void aMissingFileExitsWith2() {
    Path missing = temp.resolve("missing.yaml");

    int exit = check(Map.of(), "--config", missing.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("imagecache serve: config file " + missing
        + " (from the command line) does not exist" + System.lineSeparator());
  }

  private int check(Map<String, String> environment, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "serve";
    all[1] = "--check";
    System.arraycopy(args, 0, all, 2, args.length);
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("serve --check must not start the server");
    }, environment);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(all);
  }
}
