package io.imagecache.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imagecache serve}: resolves the settings (flag &gt; environment &gt; config file &gt;
 * default), makes sure there is an admin token, and hands them to the {@link ServerRunner}.
 * Exits with 2 and one line on stderr for a configuration error (an unusable value, an origin
 * that cannot work, a cache directory that cannot be created or written), checked before
 * anything is written; 1 and one line when the server fails at run time (e.g. the port is in
 * use), with a stack trace only for a bug. With
 * {@code --check} it stops after the resolution, writing nothing.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs the cache server.",
        "Every option can also be set by an environment variable IMAGECACHE_<OPTION>"
            + " (e.g. IMAGECACHE_MAX_SIZE) or a key in the --config file (e.g. max-size: 20GiB);"
            + " flags win over the environment, the environment over the file."})
final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--check", description = "Check the configuration as serve would resolve it,"
      + " print \"configuration OK\" and the effective listen address, cache directory and"
      + " driver, and exit (0, or 2 with the problem); writes nothing, starts nothing")
  private boolean check;

  private final ServerRunner runner;
  private final Map<String, String> environment;

  private ServeCommand(ServerRunner runner, Map<String, String> environment) {
    this.runner = runner;
    this.environment = Map.copyOf(environment);
  }

  /** The {@code serve} command with one option per {@link ServeOption}. */
  static CommandSpec spec(ServerRunner runner, Map<String, String> environment) {
    return ServeFlags.addTo(
        CommandSpec.forAnnotatedObject(new ServeCommand(runner, environment)));
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> flags = givenFlags();
    ServeSettings settings;
    LogSettings logs;
    try {
      Optional<Path> configFile = SettingsResolver.configFile(flags, environment);
      settings = SettingsResolver.resolve(flags, environment, configFile);
      settings.tls().checkFiles();
      logs = SettingsResolver.logSettings(flags, environment, configFile);
      checkCacheDirectory(settings, flags, configFile);
    } catch (SettingsException e) {
      err.println("imagecache serve: " + e.getMessage());
      return ExitCode.USAGE;
    }
    if (check) {
      PrintWriter out = spec.commandLine().getOut();
      out.println("configuration OK");
      out.println("listen: " + settings.listen());
      out.println("cache-dir: " + settings.cache().dir());
      out.println("driver: " + settings.cache().driver().configName());
      out.flush();
      return ExitCode.OK;
    }
    try {
      runner.configureLogging(logs);
    } catch (Exception e) {
      err.println("imagecache serve: failed: " + ErrorText.of(e));
      return ExitCode.SOFTWARE;
    }
    if (settings.adminToken().isEmpty()) {
      Path dir = settings.cache().dir();
      try {
        settings = settings.withAdminToken(AdminToken.readOrCreate(dir));
      } catch (IOException | UnsupportedOperationException e) {
        err.println("imagecache serve: cannot write the admin token in " + dir + ": "
            + ErrorText.of(e));
        return ExitCode.SOFTWARE;
      }
    }
    try {
      return runner.run(settings, new RereadSettings(flags, environment));
    } catch (RuntimeException e) {
      // A bug rather than a condition: keep the stack trace.
      err.println("imagecache serve: failed: " + e);
      e.printStackTrace(err);
      return ExitCode.SOFTWARE;
    } catch (Exception e) {
      err.println("imagecache serve: " + ErrorText.of(e));
      return ExitCode.SOFTWARE;
    }
  }

  /** Refuses a cache directory that could not be created or written, before anything is. */
  private void checkCacheDirectory(
      ServeSettings settings, Map<String, String> flags, Optional<Path> configFile)
      throws SettingsException {
    Path dir = settings.cache().dir();
    Optional<String> problem = CacheDirectoryCheck.problem(dir);
    if (problem.isPresent()) {
      String source = SettingsResolver.sources(flags, environment, configFile)
          .getOrDefault(ServeOption.CACHE_DIR, "the default");
      throw new SettingsException("invalid " + ServeOption.CACHE_DIR.flag() + " \"" + dir
          + "\" (from " + source + "): " + problem.get());
    }
  }

  private Map<String, String> givenFlags() {
    return ServeFlags.given(spec.commandLine().getParseResult());
  }
}
