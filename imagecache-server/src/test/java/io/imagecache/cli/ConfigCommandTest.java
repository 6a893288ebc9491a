package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imagecache config}: every option's effective value and its source, secrets masked. */
class ConfigCommandTest {
  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void eachValueIsShownWithItsSourceAndSecretsAreMasked() throws IOException {
    Path cacheDir = temp.resolve("cache");
    Path config = Files.writeString(temp.resolve("imagecache.yaml"), "driver: postgres\n"
        + "db_url: jdbc:postgresql://db:5432/ic?user=ic&password=hunter2&ssl=true\n"
        + "node-url: http://node1:9292\nmax-size: 2GiB\n");

    int exit = run(Map.of("IMAGECACHE_CONFIG", config.toString(),
            "IMAGECACHE_ORIGIN_TOKEN", "origin-s3cret"),
        "config", "--cache-dir", cacheDir.toString(), "--max-size", "3GiB");

    assertThat(exit).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines.get(0)).matches("OPTION +VALUE +SOURCE");
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("config +" + quote(config) + " +IMAGECACHE_CONFIG"));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("max-size +3\\.0 GiB +the command line"));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("driver +postgres +" + quote(config) + ", key driver"));
    assertThat(lines).anySatisfy(line -> assertThat(line).matches(
        "db-url +jdbc:postgresql://db:5432/ic\\?user=ic&password=\\(secret\\)&ssl=true +"
            + quote(config) + ", key db_url"));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("origin-token +\\(secret\\) +IMAGECACHE_ORIGIN_TOKEN"));
    assertThat(lines).anySatisfy(line -> assertThat(line).matches(
        "admin-token +none +default: generated in " + quote(cacheDir.resolve("admin-token"))));
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .matches("shutdown-grace +30s +default"));
    long fileTwins = java.util.Arrays.stream(ServeOption.values())
        .filter(option -> option.secretOfFile().isPresent()).count();
    assertThat(lines).hasSize(ServeOption.values().length + 1 - (int) fileTwins);
    assertThat(out.toString()).doesNotContain("hunter2", "origin-s3cret");
    assertThat(cacheDir).doesNotExist();
  }

  @Test
  void aConfigurationThatDoesNotResolveExitsWith2() {
    int exit = run(Map.of("IMAGECACHE_MAX_SIZE", "lots"), "config");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith(
        "imagecache config: invalid --max-size \"lots\" (from IMAGECACHE_MAX_SIZE)");
  }

  private static String quote(Object text) {
    return java.util.regex.Pattern.quote(text.toString());
  }

  private int run(Map<String, String> environment, String... args) {
    CommandLine commandLine = Main.commandLine(settings -> {
      throw new AssertionError("config must not start the server");
    }, environment);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }
}
