package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imagecache.testing.Tmpfs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The configuration mistakes a newcomer makes with {@code serve}: each ends with exit 2 and one
 * line naming the option, the value, where it came from and what is expected, before anything is
 * written (no cache directory, no admin-token file) and before the server is started.
 */
class ServeMistakesTest {
  private static final String FORMS =
      "expected a directory, a file: URL, http(s)://…/{id} or glance+http(s)://host:port";

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ServeSettings> started = new ArrayList<>();

  @Test
  void anOriginWithAnUnknownSchemeFromAFlagIsRefusedNamingTheFlag() {
    int exit = serve(Map.of(), "--origin", "ftp://store.example/images/{id}");

    assertRefused(exit, "imagecache serve: invalid --origin \"ftp://store.example/images/{id}\""
        + " (from the command line): unknown origin scheme \"ftp\" in"
        + " \"ftp://store.example/images/{id}\": " + FORMS);
  }

  @Test
  void anHttpTemplateWithoutIdFromTheEnvironmentIsRefusedNamingTheVariable() {
    int exit = serve(Map.of("IMAGECACHE_ORIGIN", "http://store.example/images/"));

    assertRefused(exit, "imagecache serve: invalid --origin \"http://store.example/images/\""
        + " (from IMAGECACHE_ORIGIN): HTTP origin \"http://store.example/images/\" has no {id}"
        + " placeholder: write e.g. http://store.example/images/{id}");
  }

  @Test
  void aMissingOriginDirectoryFromTheConfigFileIsRefusedNamingTheFileAndKey() throws IOException {
    Path missing = temp.resolve("no-such-images");
    Path config = Files.writeString(temp.resolve("imagecache.yaml"), "origin: " + missing + "\n");

    int exit = serve(Map.of(), "--config", config.toString());

    assertRefused(exit, "imagecache serve: invalid --origin \"" + missing + "\" (from " + config
        + ", key origin): origin directory " + missing + " does not exist");
  }

  @Test
  void aLowWaterAboveTheHighWaterIsRefusedInOptionNamesAndPercents() {
    int exit = serve(Map.of(), "--high-water", "80", "--low-water", "90");

    assertRefused(exit, "imagecache serve: invalid --low-water \"90\" (from the command line):"
        + " must not be above --high-water (80%)");
  }

  @Test
  void aHighWaterBelowTheDefaultLowWaterBlamesTheHighWater() {
    int exit = serve(Map.of("IMAGECACHE_HIGH_WATER", "85%"));

    assertRefused(exit, "imagecache serve: invalid --high-water \"85%\" (from"
        + " IMAGECACHE_HIGH_WATER): must not be below --low-water (90%, the default)");
  }

  @Test
  void aCacheDirThatIsAFileIsRefused() throws IOException {
    Path file = Files.writeString(temp.resolve("cache"), "not a directory");

    int exit = execute(List.of("serve", "--cache-dir", file.toString()), Map.of());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("imagecache serve: invalid --cache-dir \"" + file
        + "\" (from the command line): cannot be used as the cache directory: it is a file,"
        + " not a directory" + System.lineSeparator());
    assertThat(started).isEmpty();
    assertThat(file).hasContent("not a directory");
  }

  @Test
  void aCacheDirUnderAFileIsRefusedNamingTheFileInTheWay() throws IOException {
    Path file = Files.writeString(temp.resolve("plain"), "x");
    Path dir = file.resolve("cache");

    int exit = execute(List.of("serve", "--cache-dir", dir.toString()),
        Map.of("IMAGECACHE_CACHE_DIR", "ignored"));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("imagecache serve: invalid --cache-dir \"" + dir
        + "\" (from the command line): cannot create the cache directory: " + file
        + " is a file, not a directory" + System.lineSeparator());
    assertThat(started).isEmpty();
  }

  @Test
  void aCacheDirOnAReadOnlyFileSystemIsRefusedSayingSo() throws Exception {
    Path mount = Files.createDirectory(temp.resolve("ro"));
    Tmpfs.Mounted mounted = Tmpfs.mount(mount, 1);
    assumeTrue(mounted.tmpfs().isPresent(), mounted.whyNot());
    try (Tmpfs tmpfs = mounted.tmpfs().get()) {
      Process remount = new ProcessBuilder("mount", "-o", "remount,ro", mount.toString())
          .redirectErrorStream(true).start();
      assertThat(remount.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(remount.exitValue()).as(new String(remount.getInputStream().readAllBytes()))
          .isZero();
      Path dir = mount.resolve("cache");

      int exit = execute(List.of("serve", "--cache-dir", dir.toString()), Map.of());

      assertThat(exit).isEqualTo(2);
      assertThat(err.toString()).isEqualTo("imagecache serve: invalid --cache-dir \"" + dir
          + "\" (from the command line): cannot create the cache directory in " + mount
          + ": it is on a read-only file system" + System.lineSeparator());
      assertThat(started).isEmpty();
    }
  }

  @Test
  void checkReportsTheSameMistakes() {
    int exit = execute(List.of("serve", "--check", "--cache-dir", temp.resolve("cache").toString(),
        "--origin", temp.resolve("absent").toString()), Map.of());

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("imagecache serve: invalid --origin");
    assertThat(temp.resolve("cache")).doesNotExist();
  }

  @Test
  void aGoodOriginDirectoryPasses() throws IOException {
    Path images = Files.createDirectory(temp.resolve("images"));

    int exit = serve(Map.of(), "--origin", images.toString());

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(started).singleElement()
        .satisfies(settings -> assertThat(settings.origin()).contains(images.toString()));
  }

  /** The mistake was refused with exactly {@code line}, and nothing was written or started. */
  private void assertRefused(int exit, String line) {
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(line + System.lineSeparator());
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(started).isEmpty();
    assertThat(temp.resolve("cache")).doesNotExist();
  }

  private int serve(Map<String, String> environment, String... args) {
    List<String> all = new ArrayList<>(List.of(
        "serve", "--cache-dir", temp.resolve("cache").toString()));
    all.addAll(List.of(args));
    return execute(all, environment);
  }

  private int execute(List<String> args, Map<String, String> environment) {
    CommandLine commandLine = Main.commandLine(settings -> {
      started.add(settings);
      return 0;
    }, environment);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args.toArray(String[]::new));
  }
}
