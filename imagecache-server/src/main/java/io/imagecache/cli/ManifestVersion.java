package io.imagecache.cli;

import java.util.Optional;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or the build's version when run from classes. */
final class ManifestVersion implements IVersionProvider {

  /** The version used when there is no manifest, as in tests run from {@code target/classes}. */
  static final String FALLBACK = "0.1.0-SNAPSHOT";

  /** {@code imagecache 0.1.0-SNAPSHOT}. */
  static String versionLine() {
    String version = Optional.ofNullable(Main.class.getPackage())
        .map(Package::getImplementationVersion)
        .orElse(FALLBACK);
    return "imagecache " + version;
  }

  @Override
  public String[] getVersion() {
    return new String[] {versionLine()};
  }
}
