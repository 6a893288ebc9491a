package io.imagecache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server and the bench reach the core only through its API package {@code io.imagecache}:
 * a scan of their main and test sources fails, naming each file, when one imports (or statically
 * imports) anything under {@code io.imagecache.internal}.
 */
class ApiOnlyImportsTest {
  private static final Pattern INTERNAL_IMPORT =
      Pattern.compile("^\\s*import\\s+(static\\s+)?io\\.imagecache\\.internal[.;]", Pattern.MULTILINE);

  @Test
  void serverAndBenchImportOnlyTheApi() throws IOException {
    Path repository = Path.of("").toAbsolutePath().getParent();
    List<Path> roots = new ArrayList<>();
    for (String module : List.of("imagecache-server", "imagecache-bench")) {
      for (String sources : List.of("src/main/java", "src/test/java")) {
        roots.add(repository.resolve(module).resolve(sources));
      }
    }
    assertThat(roots.get(0)).as("the server's sources, from the module directory").isDirectory();
    assertThat(roots.get(2)).as("the bench's sources, beside the server module").isDirectory();

    assertThat(filesImportingInternal(roots)).as("files importing io.imagecache.internal").isEmpty();
  }

  @Test
  void theScanFindsAnInternalImport(@TempDir Path dir) throws IOException {
    Path clean = dir.resolve("Clean.java");
    Files.writeString(clean, "package a;\n\nimport io.imagecache.ImageCache;\n"
        + "// import io.imagecache.internal.store.CacheDriver; in a comment only\n");
    Path plain = dir.resolve("x/Plain.java");
    Files.createDirectories(plain.getParent());
    Files.writeString(plain, "package a.x;\n\nimport io.imagecache.internal.store.CacheDriver;\n");
    Path wildcard = dir.resolve("Wildcard.java");
    Files.writeString(wildcard, "package a;\n\nimport io.imagecache.internal.fill.*;\n");
    Path statics = dir.resolve("Static.java");
    Files.writeString(statics,
        "package a;\n\nimport static io.imagecache.internal.fill.DownloadPlanner.ATTEMPTS;\n");

    assertThat(filesImportingInternal(List.of(dir)))
        .containsExactlyInAnyOrder(plain, wildcard, statics);
  }

  /** The Java files under {@code roots} (those that exist) that import from the internal packages. */
  private static List<Path> filesImportingInternal(List<Path> roots) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(file -> file.toString().endsWith(".java"))
            .filter(ApiOnlyImportsTest::importsInternal)
            .forEach(found::add);
      }
    }
    return found;
  }

  private static boolean importsInternal(Path file) {
    try {
      return INTERNAL_IMPORT.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
