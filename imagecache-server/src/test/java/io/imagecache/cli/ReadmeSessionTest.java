package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's CLI session, run as written: the first {@code console} block under
 * {@code ### A session}, each {@code $ ./imagecache ARGS} line's ARGS through {@link Main}
 * against {@code serve --origin samples} in its own JVM, the printed lines compared with the
 * block's. Local times are compared as times, and a {@code queue --wait} may print progress lines
 * before the ones shown. The clients find the server and its token as a fresh clone's would,
 * by the defaults, here pointed at the test's port and directory through the environment.
 */
class ReadmeSessionTest {
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final String HEADING = "### A session";
  private static final String PROMPT = "$ ./imagecache ";
  private static final Pattern LOCAL_TIME =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");

  @TempDir Path temp;

  @Test
  void theReadmesRunCommandUsesTheSamplesAndTheLauncherWithItsPath() throws IOException {
    String readme = readme();

    assertThat(readme).contains("\n    ./imagecache serve --origin samples\n");
    assertThat(REPOSITORY.resolve("imagecache")).isExecutable();
    for (Step step : session(readme)) {
      step.args().stream().filter(arg -> arg.equals("demo-image")).forEach(id ->
          assertThat(REPOSITORY.resolve("samples").resolve(id)).as("an image samples/ has")
              .isRegularFile());
    }
  }

  @Test
  void theReadmesCliSessionRunsAsWritten() throws Exception {
    List<Step> steps = session(readme());
    assertThat(steps).hasSizeGreaterThan(10);
    Path cacheDir = temp.resolve("imagecache-data");
    try (ServeProcess serve = ServeProcess.start(temp.resolve("serve.log"), Map.of(),
        "--origin", REPOSITORY.resolve("samples").toString(), "--cache-dir", cacheDir.toString(),
        "--no-fsync")) {
      Map<String, String> environment = Map.of(
          "IMAGECACHE_SERVER", "http://127.0.0.1:" + serve.awaitPort(),
          "IMAGECACHE_CACHE_DIR", cacheDir.toString());

      for (Step step : steps) {
        CliRun.Result result =
            CliRun.run(environment, CliRun.TICKING, step.args().toArray(String[]::new));
        List<String> printed = new ArrayList<>(result.outLines());
        printed.addAll(result.err().lines().toList());
        List<String> actual = printed.stream().map(ReadmeSessionTest::withoutTimes).toList();
        List<String> expected = step.output().stream().map(ReadmeSessionTest::withoutTimes)
            .toList();
        if (step.args().contains("--wait")) {
          assertThat(actual).as(step.command()).endsWith(expected.toArray(String[]::new));
        } else {
          assertThat(actual).as(step.command()).isEqualTo(expected);
        }
      }
      serve.terminate();
      assertThat(serve.awaitExit(ServeProcess.WAIT)).isZero();
    }
  }

  /** One {@code $ ./imagecache ...} line and the lines the README shows it printing. */
  private record Step(String command, List<String> args, List<String> output) {}

  private static String readme() throws IOException {
    return Files.readString(REPOSITORY.resolve("README.md"), StandardCharsets.UTF_8);
  }

  private static List<Step> session(String readme) {
    List<String> lines = readme.lines().toList();
    int at = lines.indexOf(HEADING);
    assertThat(at).as("the README has a " + HEADING + " heading").isNotNegative();
    while (!lines.get(at).equals("```console")) {
      at++;
    }
    List<Step> steps = new ArrayList<>();
    for (at++; !lines.get(at).equals("```"); at++) {
      String line = lines.get(at);
      if (line.startsWith("$ ")) {
        assertThat(line).as("a session line runs the launcher by its path").startsWith(PROMPT);
        steps.add(new Step(line, Arrays.asList(line.substring(PROMPT.length()).split(" +")),
            new ArrayList<>()));
      } else {
        steps.get(steps.size() - 1).output().add(line);
      }
    }
    return steps;
  }

  private static String withoutTimes(String line) {
    return LOCAL_TIME.matcher(line).replaceAll("YYYY-MM-DDTHH:MM:SS");
  }
}
