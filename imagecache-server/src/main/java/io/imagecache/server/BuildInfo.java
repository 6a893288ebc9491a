package io.imagecache.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and commit this server was built from, as the build wrote them into
 * {@code build.properties} (Maven resource filtering; the commit from git-commit-id-maven-plugin).
 * Either is {@code "unknown"} when the build could not tell (no git checkout, an IDE build).
 */
record BuildInfo(String version, String commit) {
  private static final String UNKNOWN = "unknown";

  /** What {@code build.properties} beside this class says. */
  static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // Reported as unknown below.
    }
    return new BuildInfo(value(properties, "version"), value(properties, "commit"));
  }

  /** The property, or "unknown" when absent, empty or left unfiltered ({@code ${…}}). */
  private static String value(Properties properties, String name) {
    String value = properties.getProperty(name, "").strip();
    return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
  }
}
