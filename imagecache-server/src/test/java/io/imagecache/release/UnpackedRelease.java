package io.imagecache.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The release tarball {@code mvn package} built ({@code target/imagecache-VERSION.tar.gz}, named
 * by failsafe's system properties), unpacked with {@code tar} into a directory of its own.
 */
final class UnpackedRelease {
  private final Path home;

  private UnpackedRelease(Path home) {
    this.home = home;
  }

  /** Unpacks the tarball into {@code directory}. */
  static UnpackedRelease unpack(Path directory) throws IOException, InterruptedException {
    Path tarball = Path.of(System.getProperty("imagecache.release.tarball"));
    assertThat(tarball).as("the release tarball (run the ITs with mvn verify)").isRegularFile();
    int status = LoggedProcess.run(
        List.of("tar", "-xzf", tarball.toString(), "-C", directory.toString()), directory,
        Map.of("PATH", "/usr/bin:/bin"), directory.resolve("tar.log"));
    assertThat(status).as("tar -xzf " + tarball).isZero();
    return new UnpackedRelease(directory.resolve(System.getProperty("imagecache.release.name")));
  }

  /** The unpacked {@code imagecache-VERSION/} directory. */
  Path home() {
    return home;
  }

  Path launcher() {
    return home.resolve("bin/imagecache");
  }

  /**
   * A PATH of one directory holding links to {@code java}, {@code bash} and the few tools the
   * launcher calls, nothing else: no Maven.
   */
  static String javaOnlyPath(Path directory) throws IOException {
    Path bin = Files.createDirectories(directory.resolve("path-bin"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Files.createSymbolicLink(bin.resolve("java"), java);
    for (String tool : List.of("bash", "env", "dirname", "mktemp", "timeout", "tail", "rm", "mv")) {
      Path found = Path.of("/usr/bin", tool);
      Files.createSymbolicLink(bin.resolve(tool), Files.exists(found) ? found : Path.of("/bin", tool));
    }
    return bin.toString();
  }
}
