package io.imagecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API package stays small: at most 25 public top-level types in {@code io.imagecache}, counted
 * from the sources; mechanisms belong under {@code io.imagecache.internal}.
 */
class ApiSurfaceTest {
  private static final int MAX_PUBLIC_TYPES = 25;
  private static final Pattern PUBLIC_TOP_LEVEL_TYPE = Pattern.compile(
      "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
          + "(?:class|interface|record|enum|@interface)\\s+(\\w+)",
      Pattern.MULTILINE);

  @Test
  void apiPackageHasAtMost25PublicTypes() throws IOException {
    Path api = Path.of("src/main/java/io/imagecache");
    assertThat(api).as("the API package's sources, from the module directory").isDirectory();

    List<String> types = publicTopLevelTypes(api);

    assertThat(types).as("public types of io.imagecache").contains("ImageCache", "ImageId");
    assertThat(types).as("public types of io.imagecache").hasSizeLessThanOrEqualTo(MAX_PUBLIC_TYPES);
  }

  @Test
  void countsOnlyPublicTopLevelTypesOfThePackageItself(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("A.java"), "package p;\n\n/** A. */\npublic final class A {\n"
        + "  public static final class Nested {}\n}\n");
    Files.writeString(dir.resolve("B.java"), "package p;\n\npublic sealed interface B permits C {}\n");
    Files.writeString(dir.resolve("C.java"), "package p;\n\nrecord C() implements B {}\n");
    Files.writeString(dir.resolve("package-info.java"), "/** P. */\npackage p;\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/D.java"), "package p.sub;\n\npublic enum D {}\n");

    assertThat(publicTopLevelTypes(dir)).containsExactlyInAnyOrder("A", "B");
  }

  /** Names of the public top-level types declared by the Java files directly in {@code dir}. */
  private static List<String> publicTopLevelTypes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(file -> file.toString().endsWith(".java"))
          .flatMap(ApiSurfaceTest::publicTypesIn)
          .sorted()
          .toList();
    }
  }

  private static Stream<String> publicTypesIn(Path file) {
    try {
      return PUBLIC_TOP_LEVEL_TYPE.matcher(Files.readString(file)).results().map(r -> r.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
