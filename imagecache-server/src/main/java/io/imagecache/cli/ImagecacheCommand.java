package io.imagecache.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command {@code imagecache}; on its own it only explains its subcommands. */
@Command(
    name = "imagecache",
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    description = "A pull-through cache for large image files with Glance's cache contract.")
final class ImagecacheCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("imagecache: missing command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.USAGE;
  }
}
