package io.imagecache.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imagecache version}: prints {@code imagecache VERSION} on stdout. */
@Command(name = "version", mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class, description = "Prints the version.")
final class VersionCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().getOut().println(ManifestVersion.versionLine());
  }
}
